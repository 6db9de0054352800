import Foundation

extension StateStore {
    /// Saves what the live state changed by itself: missed-deadline
    /// bookkeeping (a counter is never lowered: the stored value wins if it is
    /// higher) and timed-out runs (each closed, and counted as a failure, once).
    /// A newly missed deadline or a timeout is a change of status: its
    /// notifications are written in the same transaction (``Outbox``).
    public func save(_ changes: PendingChanges, notifications: NotificationSettings? = nil, now: Date = Date()) async throws(StoreError) {
        guard !changes.isEmpty else { return }
        let outbox = Outbox(settings: notifications, now: now, corruptRows: corruptRows)
        try await writing { db in
            for item in changes.bookkeeping {
                let job = SQLValue.text(item.jobID.description)
                let row = try db.queryOne("""
                    INSERT INTO job_state (job_id, missed_deadlines_total, missed_anchor, activated_at)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        missed_deadlines_total = \(db.dialect.greatest("job_state.missed_deadlines_total", "excluded.missed_deadlines_total")),
                        missed_anchor = excluded.missed_anchor, activated_at = excluded.activated_at
                    RETURNING notify_status, last_received_at, last_start_at
                    """, [job, .integer(Int64(item.missedDeadlinesTotal)), SQLValue(item.missedAnchor), SQLValue(item.activatedAt)],
                    table: "job_state")
                guard let anchor = item.missedAnchor, let row else { continue }
                // A signal committed since the tick that found the silence
                // ended it: no down for a job that just reported.
                let latest = max(try row.optionalDate("last_received_at") ?? .distantPast, try row.optionalDate("last_start_at") ?? .distantPast)
                guard latest <= anchor else { continue }
                try outbox.change(item.jobID, from: try row.optionalString("notify_status"), to: ExportedStatus.missedDeadline.rawValue,
                                  at: now, lastRun: nil, db: db)
            }
            for timeout in changes.timeouts {
                let closed = try db.execute("UPDATE runs SET finished_at = ?, timed_out_at = ? WHERE id = ? AND finished_at IS NULL",
                                            [timeout.at.sqlValue, timeout.at.sqlValue, .integer(timeout.runID)])
                guard closed == 1 else { continue }  // saved before
                let previous = try db.queryOne("""
                    INSERT INTO job_state (job_id, failures_total, last_timeout_at) VALUES (?, 1, ?)
                    ON CONFLICT(job_id) DO UPDATE SET failures_total = job_state.failures_total + 1,
                        last_timeout_at = \(db.dialect.greatest("COALESCE(job_state.last_timeout_at, 0)", "excluded.last_timeout_at"))
                    RETURNING notify_status
                    """, [.text(timeout.jobID.description), timeout.at.sqlValue], table: "job_state")?.optionalString("notify_status")
                try outbox.change(timeout.jobID, from: previous, to: ExportedStatus.timeout.rawValue,
                                  at: timeout.at, lastRun: nil, db: db)
            }
        }
    }

    /// Every job's stored state, for rebuilding the in-memory picture at start.
    /// A row that cannot be read is left out and reported (``corruptRows``).
    public func fetchStates() async throws(StoreError) -> [JobID: JobState] {
        let corruptRows = corruptRows
        return try await reading { db in
            var states: [JobID: JobState] = [:]
            for row in try db.query("SELECT \(JobStateRow.columns) FROM job_state", table: "job_state") {
                if let (id, state) = corruptRows.reading({ () throws(StoreError) in try JobStateRow.state(row) }) { states[id] = state }
            }
            for (id, runs) in try Self.openRuns(db, ids: nil, corruptRows) { states[id, default: JobState()].openRuns = runs }
            return states
        }
    }

    /// The stored state of some jobs (those a reload brings back), by id.
    public func fetchStates(ids: [JobID]) async throws(StoreError) -> [JobID: JobState] {
        guard !ids.isEmpty else { return [:] }
        let corruptRows = corruptRows
        return try await reading { db in
            var states: [JobID: JobState] = [:]
            for ids in ids.chunks(of: 500) {
                let chunk = ids.map { SQLValue.text($0.description) }
                let list = chunk.map { _ in "?" }.joined(separator: ", ")
                for row in try db.query("SELECT \(JobStateRow.columns) FROM job_state WHERE job_id IN (\(list))", chunk, table: "job_state") {
                    if let (id, state) = corruptRows.reading({ () throws(StoreError) in try JobStateRow.state(row) }) { states[id] = state }
                }
            }
            for (id, runs) in try Self.openRuns(db, ids: ids, corruptRows) { states[id, default: JobState()].openRuns = runs }
            return states
        }
    }

    /// Runs started and not finished, by job, oldest first (of `ids`, or all).
    static func openRuns(_ db: any SQLConnection, ids: [JobID]?, _ corruptRows: CorruptRows) throws -> [JobID: [OpenRun]] {
        var runs: [JobID: [OpenRun]] = [:]
        let wanted = ids.map(Set.init)
        for row in try db.query("SELECT id, job_id, run_id, started_at FROM runs WHERE finished_at IS NULL ORDER BY started_at, id",
                                table: "runs") {
            guard let (id, run) = corruptRows.reading({ () throws(StoreError) in
                (try row.jobID(), OpenRun(id: try row.int("id"), runID: try row.optionalString("run_id"), startedAt: try row.date("started_at")))
            }), wanted?.contains(id) ?? true else { continue }
            runs[id, default: []].append(run)
        }
        return runs
    }
}
