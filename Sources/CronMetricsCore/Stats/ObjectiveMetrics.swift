/// The SLO families of `/metrics`, for the jobs whose file has an `slo`:
/// the target, the success ratio over the SLO's window, and the error budget
/// left. Rendered apart from the per-job families (a job's series change
/// with each result; these change with the minute's recount).
public enum ObjectiveMetrics {
    /// One job's SLO and its runs over the SLO's window.
    public struct Entry: Sendable {
        public var id: JobID
        public var objective: ServiceLevelObjective
        public var counts: RunCounts

        public init(id: JobID, objective: ServiceLevelObjective, counts: RunCounts) {
            (self.id, self.objective, self.counts) = (id, objective, counts)
        }

        /// The share of the budget not spent: `1 - failed share / allowed
        /// share`. Below 0 once the SLO is broken; nil without runs.
        public var budgetRemaining: Double? {
            counts.successRatio.map { 1 - (1 - $0) / (1 - objective.successRatio) }
        }
    }

    public static let families: [(name: String, help: String)] = [
        ("cronjob_slo_target_ratio", "The job's SLO: the share of runs that must succeed over its window."),
        ("cronjob_slo_success_ratio", "Successful runs over all runs in the SLO's window (a missed deadline and a timeout are failed runs)."),
        ("cronjob_slo_error_budget_remaining_ratio", "Share of the SLO's error budget left in its window: 1 untouched, 0 spent, below 0 broken."),
    ]

    /// The three families; a job without runs in its window has its target only.
    public static func render(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        guard !entries.isEmpty else { return out }
        let sorted = entries.sorted { $0.id.description < $1.id.description }
        for (index, family) in families.enumerated() {
            PrometheusText.appendHeader(name: family.name, help: family.help, type: "gauge", to: &out)
            for entry in sorted {
                let value = [entry.objective.successRatio, entry.counts.successRatio, entry.budgetRemaining][index]
                guard let value else { continue }
                out += Array(family.name.utf8)
                out += Array("{job_name=\"".utf8)
                PrometheusText.appendEscaped(entry.id.jobName, to: &out)
                out += Array("\",host=\"".utf8)
                PrometheusText.appendEscaped(entry.id.host, to: &out)
                out += Array("\",window=\"\(entry.objective.windowText)\"} ".utf8)
                PrometheusText.appendNumber(value, to: &out)
                out.append(UInt8(ascii: "\n"))
            }
        }
        return out
    }
}
