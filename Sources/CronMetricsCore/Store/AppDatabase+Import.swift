import Foundation
import GRDB

extension AppDatabase {
    /// Copies the cron-exporter's results into this history (`--with-history`),
    /// in transactions of 1,000 rows. A result already here (same job, time and
    /// status) is skipped, so importing twice adds nothing. The live state of
    /// jobs is not touched: history is for reading, and each job's status comes
    /// from its next signal.
    ///
    /// - Parameter storedOutput: what an output becomes before it is stored:
    ///   the server's own redaction and cap (`retention.redact_output`,
    ///   `redact_patterns`, `max_output_bytes`), exactly as for a submission.
    /// - Returns: how many results were added.
    public func importHistory(_ rows: [CronExporterImport.HistoryRow],
                              storedOutput: @Sendable (String?) -> String?) async throws(StoreError) -> Int {
        var added = 0
        do {
            for batch in stride(from: 0, to: rows.count, by: 1000).map({ rows[$0..<min($0 + 1000, rows.count)] }) {
                added += try await dbWriter.write { db -> Int in
                    let insert = try db.cachedStatement(sql: """
                        INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output)
                        SELECT ?, ?, ?, ?, ?, NULL, ? WHERE NOT EXISTS (
                            SELECT 1 FROM results WHERE job_id = ? AND received_at = ? AND status = ?)
                        """)
                    var count = 0
                    for row in batch {
                        let at = row.at.timeIntervalSince1970
                        let output = storedOutput(row.output)
                        try insert.execute(arguments: [row.jobID.description, at, at, row.status, row.duration, output,
                                                       row.jobID.description, at, row.status])
                        count += db.changesCount
                    }
                    return count
                }
            }
        } catch {
            throw .query("\(error)")
        }
        return added
    }
}
