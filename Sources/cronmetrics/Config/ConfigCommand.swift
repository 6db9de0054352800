import ArgumentParser

/// `cronmetrics config show|validate`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect and check the configuration.",
        subcommands: [ConfigShowCommand.self, ConfigValidateCommand.self])
}
