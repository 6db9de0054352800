import CronMetricsCore
import Foundation
import Hummingbird

/// What the job pages read and do: snapshots from the live state (the same
/// the metrics show), records, history and notifications from the store and
/// registry, the job file from the tree, and every change through the
/// registry's job editor, like the API's.
struct DashboardJobs: Sendable {
    let registry: JobRegistry
    let state: LiveState
    let database: StateStore
    let jobsDirectory: String
    /// Where hosts reach this server: `server.external_url`, else the request's host.
    let externalURL: @Sendable () -> String?
    let tls: Bool
    /// The last 7 days' runs of every job, counted each minute.
    let recent: ObjectiveTracker
    let now: @Sendable () -> Date

    /// `jobs.read_only`: the pages offer no edits.
    var readOnly: Bool { registry.readOnly }

    func overview(_ query: DashboardQuery, filter: JobFilter, error: String?) -> OverviewModel {
        let time = now()
        return OverviewModel(snapshots: state.snapshot(now: time), query: query, filter: filter, week: recent.week, now: time, error: error)
    }

    /// Every job grouped by the label `by`, over `window` (`24h` … `90d`).
    func teams(by: String, window: String) async -> TeamsModel {
        let time = now()
        if let problem = LabelName.problem(by) {
            return TeamsModel(report: nil, by: by, window: window, failing: [:], error: "group by: \(problem)")
        }
        var failing: [String?: Int] = [:]
        state.forEach(now: time) { job, jobState, verdict in
            if DashboardState(job: job, state: jobState, verdict: verdict, now: time) == .failing { failing[job.labels[by], default: 0] += 1 }
        }
        do {
            let span = try StatsWindow(named: window, now: time)
            let report = try await StatsController.report(registry: registry, database: database, filter: JobFilter(), window: span, groupBy: by)
            return TeamsModel(report: report, by: by, window: window, failing: failing, error: nil)
        } catch {
            return TeamsModel(report: nil, by: by, window: window, failing: failing, error: "the statistics cannot be read now: \(error)")
        }
    }

    /// The job's page, or nil for a job that is not in the tree.
    func page(_ id: JobID, request: Request) async -> JobPageModel? {
        let time = now()
        guard let record = await registry.record(id), let live = state.job(id, now: time) else { return nil }
        let snapshot = JobSnapshot(job: live.job, firstSeen: live.firstSeen, state: live.state, verdict: live.verdict)
        let results = (try? await database.fetchResults(for: id, limit: 100)) ?? []
        let notifications = (try? await database.notifications(NotificationFilter(job: id.description), limit: 20).notifications) ?? []
        var model = JobPageModel(snapshot: snapshot, record: record, results: results, notifications: notifications,
                                 file: Self.readFile(jobsDirectory, record.path), base: baseURL(request), now: time)
        model.history = try? await history(live.job, now: time)
        let changes = (try? await database.audit(AuditFilter(job: id.description), limit: 10).entries) ?? []
        model.changes = changes.map { JobPageModel.ChangeItem($0, now: time) }
        model.policy(blockedBy: state.blockedBy(live.job, now: time), now: time)
        return model
    }

    /// The job's strip of days, statistics and latest flips (nil when the store does not answer).
    func history(_ job: Job, now: Date) async throws -> JobHistoryModel {
        let days = DayStrip.days(JobHistoryModel.stripDays, endingAt: now, zone: job.zone.zone)
        let span = StatsWindow(from: days.first?.from ?? now, to: now)
        let hourly = try await database.hourlyHistory(job.id, window: span)
        let cells = DayStrip.cells(days, hours: hourly.hours, flips: hourly.flips, health: hourly.health, life: hourly.life,
                                   firstSeen: hourly.firstSeen)
        var statistics: [(String, JobStatistics)] = []
        for name in JobHistoryModel.windows {
            let window = try StatsWindow(named: name, now: now)
            let history = try await database.histories([job.id], window: window)[job.id] ?? JobHistory()
            statistics.append((name, JobStatistics(window: window, counts: history.counts, timelines: [history.timeline])))
        }
        let flips = try await database.flips(for: job.id, limit: 20)
        return JobHistoryModel(job: job, days: cells, statistics: statistics, flips: flips, now: now)
    }

    static func readFile(_ root: String, _ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { return "(the file cannot be read)" }
        return String(decoding: data.prefix(64 << 10), as: UTF8.self)
    }

    func baseURL(_ request: Request) -> String {
        if let external = externalURL(), !external.isEmpty {
            return external.hasSuffix("/") ? String(external.dropLast()) : external
        }
        let host = request.head.authority ?? "127.0.0.1:8080"
        let clean = host.filter { $0.isLetter || $0.isNumber || ".-:[]".contains($0) }
        return (tls ? "https://" : "http://") + clean
    }

    /// Writes the job's file with `fields` merged in (pause, resume, maintenance).
    func patch(_ id: JobID, _ fields: [String: JSONValue], audit: AuditContext) async throws(JobEditError) {
        try await registry.edit(audit) { editor throws(JobEditError) in try await editor.patch(id, fields, apiKey: nil) }
    }

    /// A new key for the job; the key, shown once.
    func rotateKey(_ id: JobID, audit: AuditContext) async throws(JobEditError) -> String {
        try await registry.edit(audit) { editor throws(JobEditError) in try await editor.rotateKey(id) }.1
    }
}
