import ArgumentParser
import CronMetricsCore

/// `cronmetrics config show`: every setting, its value and its source.
struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print each setting, its value and where it came from (secrets masked).")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let settings = try options.settings()
        _ = try Settings.server(settings)
        var rows = [["KEY", "VALUE", "SOURCE"]]
        for key in ConfigKey.all {
            guard let setting = settings.setting(key) else { continue }
            let value: String
            if key.secret {
                value = setting.values.isEmpty ? "(none)" : "\(setting.values.count) value(s), masked"
            } else if case .list = key.kind {
                value = setting.values.isEmpty ? "(none)" : setting.values.joined(separator: ", ")
            } else {
                value = setting.values.first.flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
            }
            rows.append([key.key, value, setting.source])
        }
        for channel in settings.channels {
            rows.append(["notifications.channels.\(channel.name)", channel.summary, channel.source])
        }
        print(Table.render(rows))
    }
}
