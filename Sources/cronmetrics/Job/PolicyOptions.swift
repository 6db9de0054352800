import ArgumentParser
import CronMetricsCore

/// The alert policy flags of `job add` and `job update`. Each list flag is
/// repeatable and replaces the job's list; a single empty value removes it.
///
///     --maintenance-window '0 1 * * 0;2h;Europe/Berlin'  (schedule;duration[;timezone])
///     --depends-on backup@db1
///     --alert-after 3
///     --escalate '1h=pager,boss'                          (after=channel,…)
struct PolicyOptions: ParsableArguments {
    @Option(name: .customLong("maintenance-window"), help: ArgumentHelp(
        "A recurring maintenance window, SCHEDULE;DURATION[;TIMEZONE] (repeat for several; \"\" removes them).", valueName: "window"))
    var maintenanceWindows: [String] = []
    @Option(name: .customLong("depends-on"), help: ArgumentHelp(
        "A job this one depends on: its down is held while that job fails (repeat for several; \"\" removes them).", valueName: "id"))
    var dependsOn: [String] = []
    @Option(help: "Alert only at this many failed runs in a row (\"\" removes it).") var alertAfter: String?
    @Option(name: .customLong("escalate"), help: ArgumentHelp(
        "An escalation step, AFTER=CHANNEL[,CHANNEL…] (repeat for several, in order; \"\" removes them).", valueName: "step"))
    var escalate: [String] = []

    func validate() throws {
        for (flag, values) in [("--maintenance-window", maintenanceWindows), ("--depends-on", dependsOn), ("--escalate", escalate)]
        where values.count > 1 && values.contains("") {
            throw ValidationError("\(flag) \"\" removes the list: give it alone, or give only values")
        }
        for text in maintenanceWindows where !text.isEmpty {
            let parts = text.split(separator: ";", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count) else {
                throw ValidationError("--maintenance-window takes SCHEDULE;DURATION[;TIMEZONE], such as '0 1 * * 0;2h' (got \"\(text)\")")
            }
        }
        for text in escalate where !text.isEmpty {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
                throw ValidationError("--escalate takes AFTER=CHANNEL[,CHANNEL…], such as '1h=pager' (got \"\(text)\")")
            }
        }
    }

    func apply(to patch: inout JobPatch) {
        if !maintenanceWindows.isEmpty {
            patch.setMaintenanceWindows(Self.removes(maintenanceWindows) ? nil : maintenanceWindows.map { text in
                let parts = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
                return (schedule: parts[0], duration: parts[1], timezone: parts.count > 2 ? parts[2] : nil)
            })
        }
        if !dependsOn.isEmpty { patch.setDependencies(Self.removes(dependsOn) ? nil : dependsOn) }
        if let alertAfter { patch.setAlertAfter(alertAfter) }
        if !escalate.isEmpty {
            patch.setEscalation(Self.removes(escalate) ? nil : escalate.map { text in
                let equals = text.firstIndex(of: "=") ?? text.endIndex
                let channels = text[text.index(after: equals)...].split(separator: ",").map(String.init)
                return (after: String(text[..<equals]), notify: channels)
            })
        }
    }

    private static func removes(_ values: [String]) -> Bool { values == [""] }
}
