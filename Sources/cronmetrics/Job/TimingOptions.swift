import ArgumentParser
import CronMetricsCore

/// When a job must report: `--threshold`, `--schedule` (with `--timezone`,
/// `--grace`) and `--max-runtime`, for `job add` and `job update` (an empty
/// value removes the field).
struct TimingOptions: ParsableArguments {
    @Option(help: "Seconds of silence before the job is failed, or a duration (90m, 1h30m, 2d).") var threshold: String?
    @Option(help: "A cron schedule, e.g. \"0 3 * * 1-5\" or @daily.") var schedule: String?
    @Option(help: "The schedule's IANA time zone (default UTC).") var timezone: String?
    @Option(help: "How late a scheduled run may report (default 5m).") var grace: String?
    @Option(help: "A run open longer than this fails with timeout.") var maxRuntime: String?

    func apply(to patch: inout JobPatch) {
        if let threshold { patch.setDuration(.automaticFailureThreshold, threshold) }
        if let schedule { patch.setText(.schedule, schedule) }
        if let timezone { patch.setText(.timezone, timezone) }
        if let grace { patch.setDuration(.grace, grace) }
        if let maxRuntime { patch.setDuration(.maxRuntime, maxRuntime) }
    }
}
