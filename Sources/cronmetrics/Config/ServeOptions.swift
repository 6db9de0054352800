import ArgumentParser
import Foundation
import CronMetricsCore

/// The flags `serve` takes, and `config show` with it (so it shows what serve would use).
struct ServeOptions: ParsableArguments {
    @OptionGroup var tree: TreeOptions
    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on, HOST:PORT.") var listen: String?

    func settings() throws -> AppConfiguration {
        try tree.settings(flags)
    }

    /// The settings read again for a reload: errors are thrown as
    /// ``ConfigError`` (for the server to log and keep running), not printed.
    func reloadSettings() throws(ConfigError) -> AppConfiguration {
        var flags = self.flags
        if let jobsDir = tree.jobsDir { flags[.jobsDir] = FlagValue(jobsDir, flag: "--jobs-dir") }
        return try AppConfiguration(file: Settings.file(tree.config), environment: ProcessInfo.processInfo.environment, flags: flags)
    }

    private var flags: [ConfigKey: FlagValue] {
        var flags = store.flags
        if let listen { flags[.listen] = FlagValue(listen, flag: "--listen") }
        return flags
    }
}
