import Foundation

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
            case .lastStart: line(family, state.lastStartAt?.timeIntervalSince1970)
            case .running: line(family, Double(state.openRuns.count))
            case .deadline: line(family, verdict.deadline?.timeIntervalSince1970)
            case .nextExpected: line(family, verdict.nextExpected?.timeIntervalSince1970)
            case .threshold: line(family, job.threshold.map { Double($0.seconds) })
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
