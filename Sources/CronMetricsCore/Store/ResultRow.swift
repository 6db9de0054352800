import Foundation

/// A row of `results`: one submitted run.
enum ResultRow {
    static let columns = "id, job_id, received_at, run_at, status, duration, exit_code, output, labels, run_id"

    /// - Throws: ``StoreError/corruptRow(table:column:problem:)`` for a value
    ///   of the wrong type or an unknown status.
    static func result(_ row: SQLRow) throws(StoreError) -> JobResult {
        let statusText = try row.string("status")
        guard let status = RunStatus(rawValue: statusText) else {
            throw .corruptRow(table: "results", column: "status", problem: "unknown status \(statusText)")
        }
        let labels = row.isNull("labels") ? nil : try row.json([String: String].self, "labels")
        return JobResult(
            id: try row.int("id"), jobID: try row.jobID(), receivedAt: try row.date("received_at"),
            runAt: try row.optionalDate("run_at"), status: status, duration: try row.optionalDouble("duration"),
            exitCode: try row.optionalInt("exit_code").map { Int($0) }, output: try row.optionalString("output"),
            labels: labels, runID: try row.optionalString("run_id"))
    }
}
