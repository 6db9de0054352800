/// The per-job metric families, in exposition order.
public enum JobFamily: Int, CaseIterable, Sendable {
    case status
    case lastRun
    case lastSuccess
    case lastFailure
    case lastDuration
    case lastExitCode
    case lastStart
    case running
    case inMaintenanceWindow
    case deadline
    case nextExpected
    case threshold
    case runs
    case failures
    case missedDeadlines
    case timeouts
    case durations

    public var name: String {
        switch self {
        case .status: return "cronjob_status"
        case .lastRun: return "cronjob_last_run_timestamp"
        case .lastSuccess: return "cronjob_last_success_timestamp_seconds"
        case .lastFailure: return "cronjob_last_failure_timestamp_seconds"
        case .lastDuration: return "cronjob_last_duration_seconds"
        case .lastExitCode: return "cronjob_last_exit_code"
        case .lastStart: return "cronjob_last_start_timestamp_seconds"
        case .running: return "cronjob_running"
        case .inMaintenanceWindow: return "cronjob_in_maintenance_window"
        case .deadline: return "cronjob_deadline_timestamp_seconds"
        case .nextExpected: return "cronjob_next_expected_timestamp_seconds"
        case .threshold: return "cronjob_threshold_seconds"
        case .runs: return "cronjob_runs_total"
        case .failures: return "cronjob_failures_total"
        case .missedDeadlines: return "cronjob_missed_deadlines_total"
        case .timeouts: return "cronjob_timeouts_total"
        case .durations: return "cronjob_duration_seconds"
        }
    }

    public var help: String {
        switch self {
        case .status: return "Status of cron job: 1=success, 0=failure, -1=maintenance/paused"
        case .lastRun: return "Unix time of the job's last reported run."
        case .lastSuccess: return "Unix time of the job's last successful run."
        case .lastFailure: return "Unix time of the job's last failed run."
        case .lastDuration: return "Duration in seconds of the job's last reported run."
        case .lastExitCode: return "Exit code of the job's last reported run."
        case .lastStart: return "Unix time of the job's last start signal."
        case .running: return "Runs of the job started and not finished."
        case .inMaintenanceWindow: return "1 while the job is in one of its maintenance_windows, else 0 (jobs with windows only)."
        case .deadline: return "Unix time at which the job is failed automatically if it stays silent."
        case .nextExpected: return "Unix time by which the job's next scheduled run must report (scheduled time plus grace)."
        case .threshold: return "Seconds of silence after which the job is failed automatically."
        case .runs: return "Results submitted for the job."
        case .failures: return "Failed results submitted for the job."
        case .missedDeadlines: return "Times the job stayed silent past its threshold."
        case .timeouts: return "Runs of the job closed by its max_runtime (each also a failure)."
        case .durations: return "Durations of the job's runs (jobs with metrics.duration_histogram)."
        }
    }

    public var type: String {
        switch self {
        case .runs, .failures, .missedDeadlines, .timeouts: return "counter"
        case .durations: return "histogram"
        default: return "gauge"
        }
    }
}
