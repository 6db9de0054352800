import CronMetricsCore
import Foundation

/// One job's page: its state and why, its definition, runs, chart,
/// snippets, file and notifications.
struct JobPageModel: Sendable {
    struct OpenRunItem: Sendable {
        var started, startedTitle, startedText: String
        var runId: String?
    }

    struct ResultItem: Sendable {
        var status, when, whenTitle, whenText: String
        var duration, exitCode, output, outputSize: String?
    }

    struct NoteItem: Sendable {
        var created, createdTitle, createdText, kind, channel, state, attempts: String
        var lastError: String?
    }

    /// One audit row of the job: who changed it, how, through what.
    struct ChangeItem: Sendable {
        var at, atTitle, atText, actor, action, route, file, reference: String

        init(_ record: AuditRecord, now: Date) {
            at = RFC3339.format(record.at)
            atTitle = TimeWords.absolute(record.at)
            atText = TimeWords.relative(record.at, now: now)
            actor = record.actor
            action = record.action
            route = record.route
            file = [record.path, record.detail].compactMap { $0 }.joined(separator: ", ")
            reference = record.commit.map { String($0.prefix(12)) } ?? record.requestId ?? ""
        }
    }

    /// What an admin action did, in a sentence (`?changed=pause`).
    static let changedText = [
        "pause": "Paused: no deadlines, no alerts until it is resumed.",
        "resume": "Resumed: deadlines count from now.",
        "maintenance": "Maintenance set: no alerts until it ends.",
    ]

    var row: DashboardRow
    var labels: [DashboardRow.Label]
    var why: [String]
    /// The definition, in words; nil where the file leaves it out.
    var path, file, timezone: String
    var description, scheduleText, scheduleWords, grace, threshold, maxRuntime, maintenanceUntil: String?
    var runsTotal, failuresTotal, missedTotal: Int
    var hasOpenRuns: Bool
    var openRuns: [OpenRunItem]
    /// The admin forms' target and which apply.
    var actionBase: String
    var canPause, canResume: Bool
    /// The duration chart (an SVG) and the runs.
    var chart, longest: String?
    var chartRuns: Int
    var results: [ResultItem]
    var notifications: [NoteItem]
    /// The snippets that report runs.
    var curl, ping, run: String
    var crontab: String?
    /// Admin sessions see the action forms, with the session's token.
    var admin = false
    var csrf: String?
    /// `jobs.read_only`: no forms, and a sentence saying where changes go.
    var readOnly = false
    /// After an action: what changed, the new key (shown once), or why not.
    var changed, newKey, error: String?
    /// The strip of days, statistics and flips (nil when the store did not answer).
    var history: JobHistoryModel?
    /// The job's latest audit rows, newest first.
    var changes: [ChangeItem] = []
    /// The alert policy in words (SPEC §16): its windows and the next one,
    /// `alert_after`, the escalation steps, what it depends on, and what
    /// holds its alerts now.
    var windows: [String] = []
    var hasWindows = false
    var nextWindow, alertAfter, escalation, dependsOn, blockedBy: String?

    /// Fills the alert policy's lines; `blockedBy`: its upstreams failing now.
    mutating func policy(blockedBy upstream: [JobID], now: Date) {
        let job = policyJob
        windows = job.maintenanceWindows.map { window in
            "\(window.schedule.text) (\(window.timezone ?? job.timezone ?? "UTC")): \(ScheduleWords.describe(window.schedule.text)), for "
                + (window.duration.text ?? Self.words(window.duration.seconds))
        }
        hasWindows = !windows.isEmpty
        if let next = job.nextMaintenanceWindow(after: now) {
            nextWindow = "\(TimeWords.absolute(next.start)) (\(TimeWords.relative(next.start, now: now))) until \(TimeWords.absolute(next.end))"
        }
        alertAfter = job.alertAfter.map { "after \($0) failed runs in a row" }
        escalation = job.escalate.isEmpty ? nil : job.escalate.map { "after \($0.after.text ?? Self.words($0.after.seconds)): \($0.notify.joined(separator: ", "))" }
            .joined(separator: "; ")
        dependsOn = job.dependsOn.isEmpty ? nil : job.dependsOn.map(\.description).joined(separator: ", ")
        let down: Set<ExportedStatus?> = [.failure, .missedDeadline, .timeout]
        if !upstream.isEmpty, down.contains(policyStatus) {
            blockedBy = "blocked by " + upstream.map(\.description).joined(separator: ", ")
            why.append("Its down notifications are held: it is \(blockedBy ?? "") (failing now); they go out when that recovers, if this job is still down.")
        }
        if let window = job.maintenanceWindow(at: now), job.status == .active {
            why[0] = "In a maintenance window until \(TimeWords.absolute(window.end)) (\(TimeWords.relative(window.end, now: now))): results are recorded, no deadline fails it, no alerts."
        }
    }

    /// The job and its status, for ``policy(blockedBy:now:)``.
    private let policyJob: Job
    private let policyStatus: ExportedStatus?

    init(snapshot: JobSnapshot, record: JobRecord, results: [JobResult], notifications: [NotificationRecord],
         file: String, base: String, now: Date) {
        let job = snapshot.job
        policyJob = job
        policyStatus = snapshot.verdict?.status
        row = DashboardRow(snapshot, now: now)
        labels = row.labels
        why = Self.why(snapshot, row: row, now: now)
        description = job.description.flatMap { $0.isEmpty ? nil : $0 }
        path = "jobs.d/" + record.path
        self.file = file
        scheduleText = job.schedule?.text
        timezone = job.timezone ?? "UTC"
        scheduleWords = job.schedule.map { ScheduleWords.describe($0.text) }
        grace = job.schedule.map { _ in Self.words(job.graceSeconds) }
        threshold = job.threshold.map { $0.text ?? Self.words($0.seconds) }
        maxRuntime = job.maxRuntime.map { $0.text ?? Self.words($0.seconds) }
        maintenanceUntil = job.status == .maintenance ? job.maintenanceUntil.map(TimeWords.absolute) : nil
        runsTotal = snapshot.state.runsTotal
        failuresTotal = snapshot.state.failuresTotal
        missedTotal = snapshot.state.missedDeadlinesTotal
        hasOpenRuns = !snapshot.state.openRuns.isEmpty
        openRuns = snapshot.state.openRuns.map { run in
            OpenRunItem(started: RFC3339.format(run.startedAt), startedTitle: TimeWords.absolute(run.startedAt),
                        startedText: TimeWords.relative(run.startedAt, now: now), runId: run.runID)
        }
        actionBase = row.href
        canPause = job.status != .paused
        canResume = job.status != .active
        chart = DurationChart.svg(results)
        longest = DurationChart.longest(results)
        chartRuns = results.filter { $0.status != .log }.prefix(100).count
        self.results = results.prefix(20).map { result in
            ResultItem(status: result.status.rawValue, when: RFC3339.format(result.runAt), whenTitle: TimeWords.absolute(result.runAt),
                       whenText: TimeWords.relative(result.runAt, now: now), duration: result.duration.map(TimeWords.duration),
                       exitCode: result.exitCode.map(String.init), output: result.output.flatMap { $0.isEmpty ? nil : $0 },
                       outputSize: result.output.flatMap { $0.isEmpty ? nil : "output, \($0.utf8.count) bytes" })
        }
        self.notifications = notifications.map { note in
            NoteItem(created: RFC3339.format(note.createdAt), createdTitle: TimeWords.absolute(note.createdAt),
                     createdText: TimeWords.relative(note.createdAt, now: now), kind: note.kind, channel: note.channel,
                     state: note.state, attempts: String(note.attempts), lastError: note.lastError)
        }
        let id = job.id.description
        let quoted = Self.shellQuote(id)
        curl = """
            curl -fsS -m 10 --retry 3 -X POST \(base)/api/job-result \\
              -H "X-API-Key: $CRONMETRICS_KEY" \\
              -d '{"job_name": \(Self.jsonString(job.jobName)), "host": \(Self.jsonString(job.host)), "status": "success", "duration": 12.5}'
            """
        ping = """
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY/start    # when it starts (optional)
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY          # success
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY/fail     # failure (or /$EXIT_CODE)
            """
        run = "CRONMETRICS_SERVER=\(base) cronmetrics run --job \(quoted) --key-file /etc/cronmetrics/\(Self.fileSafe(id)).key"
            + (job.maxRuntime.map { " --timeout \($0.text ?? "\($0.seconds)s")" } ?? "") + " -- /path/to/command"
        crontab = job.schedule.map { schedule in (job.timezone.map { "CRON_TZ=\($0)\n" } ?? "") + schedule.text + " " + run }
    }

    /// The state in sentences: what it is, and what it is checked against.
    static func why(_ snapshot: JobSnapshot, row: DashboardRow, now: Date) -> [String] {
        let state = snapshot.state, job = snapshot.job
        let verdict = snapshot.verdict
        var lines: [String] = []
        func at(_ date: Date?) -> String { date.map { "\(TimeWords.absolute($0)) (\(TimeWords.relative($0, now: now)))" } ?? "—" }
        switch verdict?.status {
        case nil: lines.append("Retired: kept for its history; no deadlines, no series.")
        case .paused?: lines.append("Paused: no deadlines and no alerts until it is resumed.")
        case .maintenance?: lines.append("In maintenance until \(at(job.maintenanceUntil)): results are recorded, no deadline fails it.")
        case .failure?:
            lines.append("The last run failed at \(at(state.lastRunAt))" + (state.lastExitCode.map { " with exit code \($0)" } ?? "") + ".")
        case .missedDeadline?:
            lines.append("No result since \(at(state.lastReceivedAt ?? snapshot.firstSeen)): it was due by \(at(verdict?.deadline)).")
        case .timeout?:
            lines.append("A run outlived its max_runtime" + (state.lastTimeoutAt.map { "; timed out at \(at($0))" } ?? "") + ".")
        case .pending?:
            lines.append("No result yet; the first is due by \(at(verdict?.deadline)).")
        case .success?:
            lines.append("The last run succeeded at \(at(state.lastRunAt)).")
        }
        if row.state == DashboardState.late.rawValue {
            lines.append("Its scheduled time has passed; it is within its grace of \(words(job.graceSeconds)) (due by \(at(verdict?.nextExpected))).")
        }
        if let first = state.openRuns.first {
            lines.append(state.openRuns.count == 1 ? "Running since \(at(first.startedAt))." : "\(state.openRuns.count) runs open, the first since \(at(first.startedAt)).")
        }
        if let deadline = verdict?.deadline, verdict?.status == .success || verdict?.status == .pending {
            lines.append("It fails if no result arrives by \(at(deadline)).")
        }
        return lines
    }

    static func words(_ seconds: Int) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    static func shellQuote(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "@._-".contains($0) } ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "@._-".contains($0) ? $0 : "_" })
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "'", with: "'\\''")
    }
}
