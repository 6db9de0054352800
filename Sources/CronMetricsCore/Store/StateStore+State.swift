import Foundation

extension StateStore {
    /// Saves what the live state changed by itself: missed-deadline
    /// bookkeeping (a counter is never lowered: the stored value wins if it is
    /// higher) and timed-out runs (each closed, and counted as a failure, once).
    /// A newly missed deadline or a timeout is a change of status: its
    /// notifications are written in the same transaction (``Outbox``).
    ///
    /// - Returns: each written job's state version before and after the save.
    @discardableResult
    public func save(_ changes: PendingChanges, notifications: NotificationSettings? = nil,
                     now: Date = Date()) async throws(StoreError) -> [JobID: StateVersions] {
        guard !changes.isEmpty else { return [:] }
        let outbox = Outbox(settings: notifications, now: now, corruptRows: corruptRows)
        return try await writing { db in
            var versions: [JobID: StateVersions] = [:]
            func wrote(_ id: JobID, _ version: Int64, then changed: Int64?) {
                versions[id] = StateVersions(before: versions[id]?.before ?? version - 1, after: changed ?? version)
            }
            for item in changes.bookkeeping {
                let job = SQLValue.text(item.jobID.description)
                let row = try db.queryOne("""
                    INSERT INTO job_state (job_id, missed_deadlines_total, missed_anchor, activated_at, version)
                    VALUES (?, ?, ?, ?, 1)
                    ON CONFLICT(job_id) DO UPDATE SET
                        missed_deadlines_total = \(db.dialect.greatest("job_state.missed_deadlines_total", "excluded.missed_deadlines_total")),
                        missed_anchor = CASE WHEN job_state.version = ? THEN excluded.missed_anchor ELSE job_state.missed_anchor END,
                        activated_at = excluded.activated_at, version = job_state.version + 1
                    RETURNING notify_status, notified_at, last_received_at, last_start_at, version
                    """, [job, .integer(Int64(item.missedDeadlinesTotal)), SQLValue(item.missedAnchor), SQLValue(item.activatedAt),
                          .integer(item.version)],
                    table: "job_state")
                guard let row else { continue }
                let version = try row.int("version")
                // Counted at a version the store has left: a signal ended the
                // silence, or another replica saved this miss first.
                guard version - 1 == item.version else {
                    wrote(item.jobID, version, then: nil)
                    continue
                }
                // A signal committed since the tick that found the silence
                // ended it: no down for a job that just reported.
                let latest = max(try row.optionalDate("last_received_at") ?? .distantPast, try row.optionalDate("last_start_at") ?? .distantPast)
                guard let anchor = item.missedAnchor, latest <= anchor else {
                    wrote(item.jobID, version, then: nil)
                    continue
                }
                // A miss: a failed run in the rollups and the streak, and a
                // flip also when the job was missing deadlines already.
                let previous = try row.optionalString("notify_status")
                try Self.countFailedRun(item.jobID, .missedDeadline, at: now, db: db)
                if previous == ExportedStatus.missedDeadline.rawValue {
                    try FlipRows.insert([(item.jobID, Flip(at: now, from: previous, to: ExportedStatus.missedDeadline.rawValue,
                                                           reason: FlipReason.deadline.rawValue))], db: db)
                    try outbox.reconsider([.init(jobID: item.jobID, previous: ExportedStatus.missedDeadline.rawValue,
                                                 status: ExportedStatus.missedDeadline.rawValue,
                                                 notifiedAt: try row.optionalDouble("notified_at"), at: now, lastRun: nil, repeatCount: 0)],
                                          db: db)
                }
                wrote(item.jobID, version, then: try outbox.change(
                    item.jobID, from: previous, to: ExportedStatus.missedDeadline.rawValue,
                    at: now, version: version, reason: .deadline, lastRun: nil, db: db))
            }
            for timeout in changes.timeouts {
                let closed = try db.execute("UPDATE runs SET finished_at = ?, timed_out_at = ? WHERE id = ? AND finished_at IS NULL",
                                            [timeout.at.sqlValue, timeout.at.sqlValue, .integer(timeout.runID)])
                guard closed == 1 else { continue }  // saved before
                guard let row = try db.queryOne("""
                    INSERT INTO job_state (job_id, failures_total, timeouts_total, last_timeout_at, version) VALUES (?, 1, 1, ?, 1)
                    ON CONFLICT(job_id) DO UPDATE SET failures_total = job_state.failures_total + 1,
                        timeouts_total = job_state.timeouts_total + 1,
                        last_timeout_at = \(db.dialect.greatest("COALESCE(job_state.last_timeout_at, 0)", "excluded.last_timeout_at")),
                        version = job_state.version + 1
                    RETURNING notify_status, notified_at, version
                    """, [.text(timeout.jobID.description), timeout.at.sqlValue], table: "job_state") else { continue }
                let version = try row.int("version")
                try Self.countFailedRun(timeout.jobID, .timeout, at: timeout.at, db: db)
                if try row.optionalString("notify_status") == ExportedStatus.timeout.rawValue {
                    try outbox.reconsider([.init(jobID: timeout.jobID, previous: ExportedStatus.timeout.rawValue,
                                                 status: ExportedStatus.timeout.rawValue,
                                                 notifiedAt: try row.optionalDouble("notified_at"), at: timeout.at, lastRun: nil,
                                                 repeatCount: 0)], db: db)
                }
                wrote(timeout.jobID, version, then: try outbox.change(
                    timeout.jobID, from: try row.optionalString("notify_status"), to: ExportedStatus.timeout.rawValue,
                    at: timeout.at, version: version, reason: .timeout, lastRun: nil, db: db))
            }
            try Self.announceStateChanges(versions.keys, db: db)
            return versions
        }
    }

    /// A missed deadline or a timeout: counted in the job's rollups, and in
    /// its streak (before its status changes: the streak compares with the stored one).
    static func countFailedRun(_ jobID: JobID, _ outcome: Rollups.Outcome, at: Date, db: any SQLConnection) throws {
        try db.send("""
            UPDATE job_state SET \(SignalRules.streak("1 = 1", at: "?")) WHERE job_id = ?
            """, [at.sqlValue, .text(jobID.description)])
        try Rollups.add([Rollups.Event(jobID: jobID, at: at, outcome: outcome)], db: db)
    }

    /// The PostgreSQL channel on which each committed change of job state is
    /// announced to every replica: the ids of the jobs (newline-separated),
    /// never their state, which each replica re-reads.
    public static let stateChannel = "cronmetrics_jobs"

    /// Announces that these jobs' state changed, when the transaction commits
    /// (PostgreSQL delivers a NOTIFY only then, and never for a rollback).
    /// SQLite has one server: nothing to tell.
    static func announceStateChanges(_ ids: some Collection<JobID>, db: any SQLConnection) throws {
        guard db.dialect == .postgres, !ids.isEmpty else { return }
        // A payload must stay under 8,000 bytes.
        var payload = ""
        for id in ids.sorted() {
            let text = id.description
            if !payload.isEmpty, payload.utf8.count + text.utf8.count + 1 > 7_900 {
                try db.send("SELECT pg_notify(?, ?)", [.text(stateChannel), .text(payload)])
                payload = ""
            }
            payload += payload.isEmpty ? text : "\n" + text
        }
        try db.send("SELECT pg_notify(?, ?)", [.text(stateChannel), .text(payload)])
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
