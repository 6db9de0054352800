import ArgumentParser

/// `cronmetrics stats …`: history, statistics and their rollups.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistics of a job or of many (through a server), and rebuilding their rollups.",
        subcommands: [StatsShowCommand.self, StatsRebuildCommand.self],
        defaultSubcommand: StatsShowCommand.self)
}
