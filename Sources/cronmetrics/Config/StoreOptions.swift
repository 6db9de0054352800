import ArgumentParser
import CronMetricsCore

/// `--database` and `--storage-url`: the store a command opens directly,
/// over what the configuration names.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite database file (default: storage.database).") var database: String?
    @Option(help: ArgumentHelp("A PostgreSQL store, postgres://user@host:port/database (default: storage.url).",
                               discussion: "Its password comes from storage.password_file or storage.password_env, never from the URL."))
    var storageUrl: String?

    func validate() throws {
        if database != nil, storageUrl != nil {
            throw ValidationError("--database and --storage-url name two stores: give one")
        }
    }

    /// The flags as settings: `--database` also clears a configured
    /// `storage.url`, since it asks for that SQLite file.
    var flags: [ConfigKey: FlagValue] {
        var flags: [ConfigKey: FlagValue] = [:]
        if let database {
            flags[.database] = FlagValue(database, flag: "--database")
            flags[.storageURL] = FlagValue("", flag: "--database")
        }
        if let storageUrl { flags[.storageURL] = FlagValue(storageUrl, flag: "--storage-url") }
        return flags
    }
}
