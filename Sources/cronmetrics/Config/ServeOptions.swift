import ArgumentParser
import CronMetricsCore

/// The flags `serve` takes, and `config show` with it (so it shows what serve would use).
struct ServeOptions: ParsableArguments {
    @OptionGroup var tree: TreeOptions
    @Option(help: "The SQLite database file.") var database: String?
    @Option(help: "Address to listen on, HOST:PORT.") var listen: String?

    func settings() throws -> AppConfiguration {
        var flags: [ConfigKey: FlagValue] = [:]
        if let listen { flags[.listen] = FlagValue(listen, flag: "--listen") }
        if let database { flags[.database] = FlagValue(database, flag: "--database") }
        return try tree.settings(flags)
    }
}
