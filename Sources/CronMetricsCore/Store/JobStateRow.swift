import Foundation

/// A row of `job_state`: what the server knows about a job beyond its file.
/// It outlives the job's row, so a job that comes back resumes it.
enum JobStateRow {
    static let columns = """
        job_id, last_status, last_received_at, last_run_at, last_duration, last_exit_code, last_success_at, last_failure_at,
        runs_total, failures_total, missed_deadlines_total, missed_anchor, activated_at, last_start_at, last_timeout_at, version,
        timeouts_total, duration_histogram, duration_sum
        """

    /// - Throws: ``StoreError/corruptRow(table:column:problem:)``.
    static func state(_ row: SQLRow) throws(StoreError) -> (JobID, JobState) {
        var state = JobState()
        if let text = try row.optionalString("last_status") {
            guard let status = RunStatus(rawValue: text) else {
                throw .corruptRow(table: "job_state", column: "last_status", problem: "unknown status \(text)")
            }
            state.lastStatus = status
        }
        state.lastReceivedAt = try row.optionalDate("last_received_at")
        state.lastRunAt = try row.optionalDate("last_run_at")
        state.lastDuration = try row.optionalDouble("last_duration")
        state.lastExitCode = try row.optionalInt("last_exit_code").map { Int($0) }
        state.lastSuccessAt = try row.optionalDate("last_success_at")
        state.lastFailureAt = try row.optionalDate("last_failure_at")
        state.runsTotal = Int(try row.int("runs_total"))
        state.failuresTotal = Int(try row.int("failures_total"))
        state.missedDeadlinesTotal = Int(try row.int("missed_deadlines_total"))
        state.timeoutsTotal = Int(try row.int("timeouts_total"))
        if let text = try row.optionalString("duration_histogram") {
            guard let histogram = DurationHistogram(json: text, sum: try row.optionalDouble("duration_sum") ?? 0) else {
                throw .corruptRow(table: "job_state", column: "duration_histogram", problem: "not a histogram: \(text.prefix(100))")
            }
            state.durationHistogram = histogram
        }
        state.missedAnchor = try row.optionalDate("missed_anchor")
        state.activatedAt = try row.optionalDate("activated_at")
        state.lastStartAt = try row.optionalDate("last_start_at")
        state.lastTimeoutAt = try row.optionalDate("last_timeout_at")
        state.version = try row.int("version")
        return (try row.jobID(), state)
    }
}
