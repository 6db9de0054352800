import ArgumentParser

/// `cronmetrics store …`: work on the store itself.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Work on the store: move a SQLite site to PostgreSQL.",
        subcommands: [StoreMigrateCommand.self])
}
