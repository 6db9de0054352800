import Foundation

/// The per-job metric families, in exposition order.
public enum JobFamily: Int, CaseIterable, Sendable {
    case status
    case lastRun
    case lastSuccess
    case lastFailure
    case lastDuration
    case lastExitCode
    case deadline
    case threshold
    case runs
    case failures
    case missedDeadlines

    public var name: String {
        switch self {
        case .status: return "cronjob_status"
        case .lastRun: return "cronjob_last_run_timestamp"
        case .lastSuccess: return "cronjob_last_success_timestamp_seconds"
        case .lastFailure: return "cronjob_last_failure_timestamp_seconds"
        case .lastDuration: return "cronjob_last_duration_seconds"
        case .lastExitCode: return "cronjob_last_exit_code"
        case .deadline: return "cronjob_deadline_timestamp_seconds"
        case .threshold: return "cronjob_threshold_seconds"
        case .runs: return "cronjob_runs_total"
        case .failures: return "cronjob_failures_total"
        case .missedDeadlines: return "cronjob_missed_deadlines_total"
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
        case .deadline: return "Unix time at which the job is failed automatically if it stays silent."
        case .threshold: return "Seconds of silence after which the job is failed automatically."
        case .runs: return "Results submitted for the job."
        case .failures: return "Failed results submitted for the job."
        case .missedDeadlines: return "Times the job stayed silent past its threshold."
        }
    }

    public var type: String {
        switch self {
        case .runs, .failures, .missedDeadlines: return "counter"
        default: return "gauge"
        }
    }
}

/// One job's series text, prepared when the job, its state or its verdict
/// changes; a scrape copies these bytes and formats nothing.
public struct JobSeries: Sendable {
    /// The lines of every family, back to back.
    public private(set) var text: [UInt8] = []
    /// `text[offsets[f]..<offsets[f + 1]]` are family `f`'s lines (possibly none).
    /// Inline rather than an array: one heap object per job, not two.
    public private(set) var offsets = SIMD16<Int32>()

    public init() {}

    /// Renders every family of one job.
    public init(job: Job, state: JobState, verdict: Verdict) {
        var text: [UInt8] = []
        text.reserveCapacity(1024)
        var offsets = SIMD16<Int32>()
        // `{job_name="…",host="…"`: every family starts with these two labels.
        var base: [UInt8] = Array("{job_name=\"".utf8)
        PrometheusText.appendEscaped(job.jobName, to: &base)
        base += Array("\",host=\"".utf8)
        PrometheusText.appendEscaped(job.host, to: &base)
        base.append(UInt8(ascii: "\""))

        func line(_ family: JobFamily, _ value: Double?) {
            guard let value else { return }
            text += Array(family.name.utf8)
            text += base
            text += Array("} ".utf8)
            PrometheusText.appendNumber(value, to: &text)
            text.append(UInt8(ascii: "\n"))
        }
        for family in JobFamily.allCases {
            offsets[family.rawValue] = Int32(text.count)
            switch family {
            case .status:
                text += Array(family.name.utf8)
                text += base
                for name in job.labels.keys.sorted() {
                    text += Array(",\(name)=\"".utf8)
                    PrometheusText.appendEscaped(job.labels[name] ?? "", to: &text)
                    text.append(UInt8(ascii: "\""))
                }
                text += Array(",status=\"\(verdict.status.rawValue)\"} ".utf8)
                PrometheusText.appendInteger(Int64(verdict.status.value), to: &text)
                text.append(UInt8(ascii: "\n"))
            case .lastRun: line(family, state.lastRunAt?.timeIntervalSince1970)
            case .lastSuccess: line(family, state.lastSuccessAt?.timeIntervalSince1970)
            case .lastFailure: line(family, state.lastFailureAt?.timeIntervalSince1970)
            case .lastDuration: line(family, state.lastStatus == nil ? nil : state.lastDuration)
            case .lastExitCode: line(family, state.lastExitCode.map(Double.init))
            case .deadline: line(family, verdict.deadline?.timeIntervalSince1970)
            case .threshold: line(family, Double(job.threshold.seconds))
            case .runs: line(family, Double(state.runsTotal))
            case .failures: line(family, Double(state.failuresTotal))
            case .missedDeadlines: line(family, Double(state.missedDeadlinesTotal))
            }
        }
        offsets[JobFamily.allCases.count] = Int32(text.count)
        self.text = text
        self.offsets = offsets
    }
}
