import Foundation

extension StateStore {
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
                              storedOutput: @escaping @Sendable (String?) -> String?) async throws(StoreError) -> Int {
        var added = 0
        for batch in rows.chunks(of: 1000) {
            added += try await writing { db -> Int in
                var count = 0
                for row in batch {
                    let at = SQLValue.real(row.at.timeIntervalSince1970)
                    let job = SQLValue.text(row.jobID.description)
                    // Binds in a SELECT list have no type of their own in PostgreSQL: cast.
                    count += try db.execute("""
                        INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output)
                        SELECT ?, \(db.dialect.real("?")), \(db.dialect.real("?")), ?, \(db.dialect.real("?")), NULL, \(db.dialect.text("?"))
                        WHERE NOT EXISTS (SELECT 1 FROM results WHERE job_id = ? AND received_at = ? AND status = ?)
                        """, [job, at, at, .text(row.status), SQLValue(row.duration), SQLValue(storedOutput(row.output)),
                              job, at, .text(row.status)])
                }
                return count
            }
        }
        return added
    }
}
