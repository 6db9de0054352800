import Foundation
import GRDB

extension AppDatabase {
    /// Saves the deadline bookkeeping of some jobs. A counter is never lowered:
    /// the stored value wins if it is higher.
    public func save(_ bookkeeping: [LiveState.Bookkeeping]) async throws(StoreError) {
        guard !bookkeeping.isEmpty else { return }
        do {
            try await dbWriter.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO job_state (job_id, missed_deadlines_total, missed_anchor, activated_at)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        missed_deadlines_total = MAX(missed_deadlines_total, excluded.missed_deadlines_total),
                        missed_anchor = excluded.missed_anchor, activated_at = excluded.activated_at
                    """)
                for item in bookkeeping {
                    try statement.execute(arguments: [
                        item.jobID.description, item.missedDeadlinesTotal,
                        item.missedAnchor?.timeIntervalSince1970, item.activatedAt?.timeIntervalSince1970,
                    ])
                }
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Every job's stored state, for rebuilding the in-memory picture at start.
    public func fetchStates() throws(StoreError) -> [JobID: JobState] {
        do {
            return try dbWriter.read { db in JobStateRow.states(try JobStateRow.fetchAll(db)) }
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
                return states
            }
        } catch {
            throw .query("\(error)")
        }
    }
}
