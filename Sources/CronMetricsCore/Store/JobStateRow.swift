import Foundation
import GRDB

/// A row of `job_state`: what the server knows about a job beyond its file.
/// It outlives the job's row, so a job that comes back resumes it.
struct JobStateRow: FetchableRecord, TableRecord {
    static let databaseTableName = "job_state"

    enum Columns: String, ColumnExpression {
        case jobID = "job_id", lastStatus = "last_status", lastReceivedAt = "last_received_at", lastRunAt = "last_run_at"
        case lastDuration = "last_duration", lastExitCode = "last_exit_code"
        case lastSuccessAt = "last_success_at", lastFailureAt = "last_failure_at"
        case runsTotal = "runs_total", failuresTotal = "failures_total", missedDeadlinesTotal = "missed_deadlines_total"
        case missedAnchor = "missed_anchor", activatedAt = "activated_at", firstSeen = "first_seen"
        case lastStartAt = "last_start_at", lastTimeoutAt = "last_timeout_at"
    }

    var jobID: JobID?
    var state: JobState

    init(row: Row) throws {
        func date(_ column: Columns) -> Date? {
            (row[column] as Double?).map(Date.init(timeIntervalSince1970:))
        }
        jobID = JobID(row[Columns.jobID] as String)
        state = JobState()
        state.lastStatus = (row[Columns.lastStatus] as String?).flatMap(RunStatus.init(rawValue:))
        state.lastReceivedAt = date(.lastReceivedAt)
        state.lastRunAt = date(.lastRunAt)
        state.lastDuration = row[Columns.lastDuration]
        state.lastExitCode = row[Columns.lastExitCode]
        state.lastSuccessAt = date(.lastSuccessAt)
        state.lastFailureAt = date(.lastFailureAt)
        state.runsTotal = row[Columns.runsTotal]
        state.failuresTotal = row[Columns.failuresTotal]
        state.missedDeadlinesTotal = row[Columns.missedDeadlinesTotal]
        state.missedAnchor = date(.missedAnchor)
        state.activatedAt = date(.activatedAt)
        state.lastStartAt = date(.lastStartAt)
        state.lastTimeoutAt = date(.lastTimeoutAt)
    }

    /// Rows by job id (rows whose id no longer parses are skipped).
    static func states(_ rows: [JobStateRow]) -> [JobID: JobState] {
        var states: [JobID: JobState] = [:]
        for row in rows {
            if let id = row.jobID { states[id] = row.state }
        }
        return states
    }
}
