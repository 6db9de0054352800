import Foundation
import GRDB

extension AppDatabase {
    /// Stores results and folds them into `job_state`, all in one transaction:
    /// when this returns, every result is on disk.
    ///
    /// - Returns: the results with their row ids.
    public func insert(_ results: [JobResult]) async throws(StoreError) -> [JobResult] {
        do {
            return try await dbWriter.write { db in
                let insertResult = try db.cachedStatement(sql: """
                    INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output, labels)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                // Increments in SQL, so the deadline bookkeeping written beside it
                // (other columns of the same row) is never overwritten.
                let upsertState = try db.cachedStatement(sql: """
                    INSERT INTO job_state (job_id, last_status, last_received_at, last_run_at, last_duration,
                                           last_exit_code, last_success_at, last_failure_at, runs_total, failures_total)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        last_status = excluded.last_status, last_received_at = excluded.last_received_at,
                        last_run_at = excluded.last_run_at, last_duration = excluded.last_duration,
                        last_exit_code = excluded.last_exit_code,
                        last_success_at = COALESCE(excluded.last_success_at, last_success_at),
                        last_failure_at = COALESCE(excluded.last_failure_at, last_failure_at),
                        runs_total = runs_total + 1, failures_total = failures_total + excluded.failures_total
                    """)
                var stored = results
                for index in stored.indices {
                    let result = stored[index]
                    let labels = try result.labels.map { try Self.json($0) }
                    try insertResult.execute(arguments: [
                        result.jobID.description, result.receivedAt.timeIntervalSince1970,
                        result.runAt.timeIntervalSince1970, result.status.rawValue, result.duration,
                        result.exitCode, result.output, labels,
                    ])
                    stored[index].id = db.lastInsertedRowID
                    let run = result.runAt.timeIntervalSince1970
                    try upsertState.execute(arguments: [
                        result.jobID.description, result.status.rawValue, result.receivedAt.timeIntervalSince1970,
                        run, result.duration, result.exitCode,
                        result.status == .success ? run : nil, result.status == .failure ? run : nil,
                        result.status == .failure ? 1 : 0,
                    ])
                }
                return stored
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// A job's results, newest first.
    ///
    /// - Parameters:
    ///   - limit: at most this many.
    ///   - beforeID: only results with a smaller row id (the cursor of the previous page).
    public func fetchResults(for id: JobID, limit: Int, beforeID: Int64? = nil) throws(StoreError) -> [JobResult] {
        do {
            return try dbWriter.read { db in
                try ResultRow
                    .filter(ResultRow.Columns.jobID == id.description && ResultRow.Columns.id < (beforeID ?? Int64.max))
                    .order(ResultRow.Columns.id.desc)
                    .limit(limit)
                    .fetchAll(db)
                    .compactMap(\.result)
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// How many results are stored for `id`.
    public func countResults(for id: JobID) throws(StoreError) -> Int {
        do {
            return try dbWriter.read { db in
                try ResultRow.filter(ResultRow.Columns.jobID == id.description).fetchCount(db)
            }
        } catch {
            throw .query("\(error)")
        }
    }
}
