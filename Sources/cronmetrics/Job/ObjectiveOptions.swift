import ArgumentParser
import CronMetricsCore

/// `--slo 99.5% --slo-window 30d --duration-histogram true` for `job add` and
/// `job update`: the job's service level objective and its optional series.
/// An empty value removes the field; `--slo-window` alone changes the window
/// of the objective the job has.
struct ObjectiveOptions: ParsableArguments {
    @Option(help: "The SLO's success ratio, 99.5% or 0.995 (\"\" removes the SLO).") var slo: String?
    @Option(help: "The SLO's window, such as 7d or 30d (\"\" for the default, 30d).") var sloWindow: String?
    @Option(help: "Export cronjob_duration_seconds for this job: true, false, or \"\" for the server's default.")
    var durationHistogram: String?

    private static let flags: [String: Bool?] = ["true": true, "false": false, "": nil]

    func validate() throws {
        if let durationHistogram, Self.flags[durationHistogram] == nil {
            throw ValidationError("--duration-histogram takes true, false or \"\" (got \"\(durationHistogram)\")")
        }
    }

    func apply(to patch: inout JobPatch) {
        if slo != nil || sloWindow != nil { patch.setObjective(ratio: slo, window: sloWindow) }
        if let durationHistogram, let value = Self.flags[durationHistogram] { patch.setDurationHistogram(value) }
    }
}
