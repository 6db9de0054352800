import Foundation
import GRDB

/// A row of `results`: one submitted run.
struct ResultRow: FetchableRecord, TableRecord {
    static let databaseTableName = "results"

    enum Columns: String, ColumnExpression {
        case id, jobID = "job_id", receivedAt = "received_at", runAt = "run_at", status
        case duration, exitCode = "exit_code", output, labels, runID = "run_id"
    }

    var result: JobResult?

    init(row: Row) throws {
        guard let id = JobID(row[Columns.jobID] as String) else { return }
        let labels = (row[Columns.labels] as String?).flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
        result = JobResult(
            id: row[Columns.id], jobID: id,
            receivedAt: Date(timeIntervalSince1970: row[Columns.receivedAt]),
            runAt: (row[Columns.runAt] as Double?).map(Date.init(timeIntervalSince1970:)),
            status: RunStatus(rawValue: row[Columns.status]) ?? .failure,
            duration: row[Columns.duration], exitCode: row[Columns.exitCode], output: row[Columns.output], labels: labels,
            runID: row[Columns.runID])
    }
}
