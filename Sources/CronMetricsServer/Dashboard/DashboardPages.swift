import CronMetricsCore
import Foundation

/// The overview: counts per state over every job, then the filtered,
/// sorted page of rows. Only the 50 rows shown are formatted.
struct OverviewPage {
    var context: [String: Any]

    init(snapshots: [JobSnapshot], query: DashboardQuery, filter: JobFilter, now: Date) {
        var counts: [DashboardState: Int] = [:]
        var matching: [(snapshot: JobSnapshot, state: DashboardState)] = []
        for snapshot in snapshots {
            let state = DashboardState(snapshot, now: now)
            counts[state, default: 0] += 1
            guard query.state == nil || query.state == state, filter.matches(snapshot.job) else { continue }
            matching.append((snapshot, state))
        }
        // The live state lists jobs by id; each sort keeps that order among equals.
        switch query.sort {
        case .name: break
        case .attention:
            var buckets = Array(repeating: [(snapshot: JobSnapshot, state: DashboardState)](), count: DashboardState.allCases.count)
            for item in matching { buckets[item.state.rank].append(item) }
            matching = buckets.flatMap { $0 }
        case .lastRun:
            let keyed = matching.enumerated().map { ($0.offset, ($0.element.snapshot.state.lastRunAt ?? .distantPast)) }
            matching = keyed.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { matching[$0.0] }
        case .next:
            let keyed = matching.enumerated().map { ($0.offset, ($0.element.snapshot.verdict?.nextExpected ?? $0.element.snapshot.verdict?.deadline ?? .distantFuture)) }
            matching = keyed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { matching[$0.0] }
        }
        let size = DashboardQuery.pageSize
        let pages = max((matching.count + size - 1) / size, 1)
        let page = min(query.page, pages)
        let slice = matching.dropFirst((page - 1) * size).prefix(size)
        var shown: [DashboardState] = DashboardState.counted
        if (counts[.retired] ?? 0) > 0 { shown.append(.retired) }
        context = Mustached.drop([
            "counts": shown.map { state in
                ["state": state.rawValue, "n": counts[state] ?? 0, "href": query.link(state: .some(query.state == state ? nil : state)),
                 "current": query.state == state] as [String: Any]
            },
            "rows": slice.map { DashboardRow($0.snapshot, now: now).context },
            "total": matching.count, "one": matching.count == 1, "filtered": query.isFiltered,
            "page": page, "pages": pages > 1 ? pages : nil,
            "previous": page > 1 ? query.link(page: page - 1) : nil,
            "nextPage": page < pages ? query.link(page: page + 1) : nil,
            "q": query.text, "label": query.label, "host": query.host,
            "stateOptions": DashboardState.allCases.map { ["value": $0.rawValue, "selected": $0 == query.state] as [String: Any] },
            "sortOptions": DashboardQuery.Sort.allCases.map { ["value": $0.rawValue, "text": $0.text, "selected": $0 == query.sort] as [String: Any] },
        ])
    }

    /// Counts per state, as the live feed sends them.
    static func counts(_ state: LiveState, now: Date) -> [String: Int] {
        var counts = Array(repeating: 0, count: DashboardState.allCases.count)
        state.forEach(now: now) { job, jobState, verdict in counts[DashboardState(job: job, state: jobState, verdict: verdict, now: now).rank] += 1 }
        return Dictionary(uniqueKeysWithValues: DashboardState.allCases.map { ($0.rawValue, counts[$0.rank]) })
    }
}

/// One job: its state and why, its definition, runs, chart, snippets, file
/// and notifications.
struct JobPage {
    static let changedText = [
        "pause": "Paused: no deadlines, no alerts until it is resumed.",
        "resume": "Resumed: deadlines count from now.",
        "maintenance": "Maintenance set: no alerts until it ends.",
    ]

    var context: [String: Any]

    init(snapshot: JobSnapshot, record: JobRecord, results: [JobResult], notifications: [NotificationRecord],
         file: String, base: String, now: Date) {
        let job = snapshot.job
        let row = DashboardRow(snapshot, now: now)
        let id = job.id.description
        var values: [String: Any?] = [
            "row": row.context, "labels": row.labels.map(\.context), "why": Self.why(snapshot, row: row, now: now),
            "description": job.description, "path": "jobs.d/" + record.path, "file": file,
            "scheduleText": job.schedule?.text, "timezone": job.timezone ?? "UTC",
            "scheduleWords": job.schedule.map { ScheduleWords.describe($0.text) }, "grace": job.schedule.map { _ in Self.words(job.graceSeconds) },
            "threshold": job.threshold.map { $0.text ?? Self.words($0.seconds) },
            "maxRuntime": job.maxRuntime.map { $0.text ?? Self.words($0.seconds) },
            "maintenanceUntil": job.status == .maintenance ? job.maintenanceUntil.map(TimeWords.absolute) : nil,
            "runsTotal": snapshot.state.runsTotal, "failuresTotal": snapshot.state.failuresTotal,
            "missedTotal": snapshot.state.missedDeadlinesTotal,
            "hasOpenRuns": !snapshot.state.openRuns.isEmpty,
            "openRuns": snapshot.state.openRuns.map { run in
                Mustached.drop(["started": RFC3339.format(run.startedAt), "startedTitle": TimeWords.absolute(run.startedAt),
                                "startedText": TimeWords.relative(run.startedAt, now: now), "runId": run.runID])
            },
            "actionBase": row.href, "canPause": job.status != .paused, "canResume": job.status != .active,
            "chart": DurationChart.svg(results), "longest": DurationChart.longest(results),
            "chartRuns": results.filter { $0.status != .log }.prefix(100).count,
            "results": results.prefix(20).map { result in
                Mustached.drop([
                    "status": result.status.rawValue, "when": RFC3339.format(result.runAt), "whenTitle": TimeWords.absolute(result.runAt),
                    "whenText": TimeWords.relative(result.runAt, now: now), "duration": result.duration.map(TimeWords.duration),
                    "exitCode": result.exitCode.map(String.init), "output": result.output,
                    "outputSize": result.output.map { "output, \($0.utf8.count) bytes" },
                ])
            },
            "notifications": notifications.map { note in
                Mustached.drop([
                    "created": RFC3339.format(note.createdAt), "createdTitle": TimeWords.absolute(note.createdAt),
                    "createdText": TimeWords.relative(note.createdAt, now: now), "kind": note.kind, "channel": note.channel,
                    "state": note.state, "attempts": String(note.attempts), "lastError": note.lastError,
                ])
            },
        ]
        let quoted = Self.shellQuote(id)
        values["curl"] = """
            curl -fsS -m 10 --retry 3 -X POST \(base)/api/job-result \\
              -H "X-API-Key: $CRONMETRICS_KEY" \\
              -d '{"job_name": \(Self.jsonString(job.jobName)), "host": \(Self.jsonString(job.host)), "status": "success", "duration": 12.5}'
            """
        values["ping"] = """
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY/start    # when it starts (optional)
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY          # success
            curl -fsS -m 10 --retry 3 \(base)/ping/$CRONMETRICS_KEY/fail     # failure (or /$EXIT_CODE)
            """
        let runLine = "CRONMETRICS_SERVER=\(base) cronmetrics run --job \(quoted) --key-file /etc/cronmetrics/\(Self.fileSafe(id)).key"
            + (job.maxRuntime.map { " --timeout \($0.text ?? "\($0.seconds)s")" } ?? "") + " -- /path/to/command"
        values["run"] = runLine
        if let schedule = job.schedule {
            let zone = job.timezone.map { "CRON_TZ=\($0)\n" } ?? ""
            values["crontab"] = zone + schedule.text + " " + runLine
        }
        context = Mustached.drop(values)
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

/// Queued and dead notifications.
struct NotificationsPage {
    var context: [String: Any]

    init(pending: [NotificationRecord], dead: [NotificationRecord], now: Date) {
        func items(_ records: [NotificationRecord], dead: Bool) -> [[String: Any]] {
            records.map { note in
                Mustached.drop([
                    "id": String(note.id), "created": RFC3339.format(note.createdAt), "createdTitle": TimeWords.absolute(note.createdAt),
                    "createdText": TimeWords.relative(note.createdAt, now: now), "jobId": note.jobId,
                    "jobHref": JobID(note.jobId).map(DashboardRow.href) ?? "/dashboard", "kind": note.kind, "channel": note.channel,
                    "attempts": String(note.attempts), "nextAttempt": note.nextAttemptAt.map { TimeWords.relative($0, now: now) },
                    "lastError": note.lastError.map { error in note.lastStatus.map { "HTTP \($0): \(error)" } ?? error },
                    "dead": dead,
                ])
            }
        }
        context = [
            "sections": [
                ["key": "dead", "heading": "Dead", "count": dead.count, "items": items(dead, dead: true)] as [String: Any],
                ["key": "queued", "heading": "Queued", "count": pending.count, "items": items(pending, dead: false)] as [String: Any],
            ],
            "hasDead": !dead.isEmpty,
        ]
    }
}
