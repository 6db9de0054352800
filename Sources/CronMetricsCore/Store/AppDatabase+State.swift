import Foundation
import GRDB

extension AppDatabase {
    /// Saves what the live state changed by itself: missed-deadline
    /// bookkeeping (a counter is never lowered: the stored value wins if it is
    /// higher) and timed-out runs (each closed, and counted as a failure, once).
    /// A newly missed deadline or a timeout is a change of status: its
    /// notifications are written in the same transaction (``Outbox``).
    public func save(_ changes: PendingChanges, notifications: NotificationSettings? = nil, now: Date = Date()) async throws(StoreError) {
        guard !changes.isEmpty else { return }
        let outbox = Outbox(settings: notifications, now: now)
        do {
            try await dbWriter.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO job_state (job_id, missed_deadlines_total, missed_anchor, activated_at)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        missed_deadlines_total = MAX(missed_deadlines_total, excluded.missed_deadlines_total),
                        missed_anchor = excluded.missed_anchor, activated_at = excluded.activated_at
                    """)
                let signals = try db.cachedStatement(sql: """
                    SELECT notify_status, last_received_at, last_start_at FROM job_state WHERE job_id = ?
                    """)
                for item in changes.bookkeeping {
                    try statement.execute(arguments: [
                        item.jobID.description, item.missedDeadlinesTotal,
                        item.missedAnchor?.timeIntervalSince1970, item.activatedAt?.timeIntervalSince1970,
                    ])
                    guard let anchor = item.missedAnchor?.timeIntervalSince1970,
                          let row = try Row.fetchOne(signals, arguments: [item.jobID.description]) else { continue }
                    // A signal committed since the tick that found the silence
                    // ended it: no down for a job that just reported.
                    let latest = max(row["last_received_at"] as Double? ?? 0, row["last_start_at"] as Double? ?? 0)
                    guard latest <= anchor else { continue }
                    try outbox.change(item.jobID, from: row["notify_status"], to: ExportedStatus.missedDeadline.rawValue,
                                      at: now, lastRun: nil, db: db)
                }
                for timeout in changes.timeouts {
                    try db.execute(sql: "UPDATE runs SET finished_at = ?, timed_out_at = ? WHERE id = ? AND finished_at IS NULL",
                                   arguments: [timeout.at.timeIntervalSince1970, timeout.at.timeIntervalSince1970, timeout.runID])
                    guard db.changesCount == 1 else { continue }  // saved before
                    try db.execute(sql: """
                        INSERT INTO job_state (job_id, failures_total, last_timeout_at) VALUES (?, 1, ?)
                        ON CONFLICT(job_id) DO UPDATE SET failures_total = failures_total + 1,
                            last_timeout_at = MAX(COALESCE(last_timeout_at, 0), excluded.last_timeout_at)
                        """, arguments: [timeout.jobID.description, timeout.at.timeIntervalSince1970])
                    let previous = try String.fetchOne(db, sql: "SELECT notify_status FROM job_state WHERE job_id = ?",
                                                       arguments: [timeout.jobID.description])
                    try outbox.change(timeout.jobID, from: previous, to: ExportedStatus.timeout.rawValue,
                                      at: timeout.at, lastRun: nil, db: db)
                }
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Every job's stored state, for rebuilding the in-memory picture at start.
    public func fetchStates() throws(StoreError) -> [JobID: JobState] {
        do {
            return try dbWriter.read { db in
                var states = JobStateRow.states(try JobStateRow.fetchAll(db))
                for (id, runs) in try Self.openRuns(db, ids: nil) { states[id, default: JobState()].openRuns = runs }
                return states
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// The stored state of some jobs (those a reload brings back), by id.
    public func fetchStates(ids: [JobID]) throws(StoreError) -> [JobID: JobState] {
        guard !ids.isEmpty else { return [:] }
        do {
            return try dbWriter.read { db in
                var states: [JobID: JobState] = [:]
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = ids[start..<min(start + 500, ids.count)].map(\.description)
                    let rows = try JobStateRow.filter(chunk.contains(JobStateRow.Columns.jobID)).fetchAll(db)
                    states.merge(JobStateRow.states(rows)) { $1 }
                }
                for (id, runs) in try Self.openRuns(db, ids: ids) { states[id, default: JobState()].openRuns = runs }
                return states
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Runs started and not finished, by job, oldest first (of `ids`, or all).
    static func openRuns(_ db: Database, ids: [JobID]?) throws -> [JobID: [OpenRun]] {
        var runs: [JobID: [OpenRun]] = [:]
        let wanted = ids.map { Set($0.map(\.description)) }
        for row in try Row.fetchAll(db, sql: "SELECT id, job_id, run_id, started_at FROM runs WHERE finished_at IS NULL ORDER BY started_at") {
            let jobText: String = row["job_id"]
            guard wanted?.contains(jobText) ?? true, let id = JobID(jobText) else { continue }
            runs[id, default: []].append(OpenRun(id: row["id"], runID: row["run_id"], startedAt: Date(timeIntervalSince1970: row["started_at"])))
        }
        return runs
    }
}
