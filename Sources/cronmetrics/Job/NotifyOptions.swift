import ArgumentParser
import CronMetricsCore

/// `--notify ops,chat` for `job add` and `job update`: the job's notification
/// channels. Empty (`--notify ""`) removes the field, so the default channels
/// apply; `--notify "[]"` writes `notify: []`, no notifications at all.
struct NotifyOptions: ParsableArguments {
    @Option(help: "Notification channels, comma-separated (\"\" for the default channels, \"[]\" for none).")
    var notify: String?

    func apply(to patch: inout JobPatch) {
        guard let notify else { return }
        if notify.isEmpty {
            patch.setChannels(nil)
        } else if notify == "[]" {
            patch.setChannels([])
        } else {
            patch.setChannels(notify.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }
}
