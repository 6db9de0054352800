import ArgumentParser

/// `cronmetrics config show|validate|example`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect and check the configuration, or print a complete example.",
        subcommands: [ConfigShowCommand.self, ConfigValidateCommand.self, ConfigExampleCommand.self])
}
