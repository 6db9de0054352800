import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics purge [--older-than 30d]`: apply retention now.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete results older than the retention period (keeping retention.keep_last per job).")

    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).") var config: String?
    @Option(help: "Age limit, e.g. 30d or 12h (default: retention.days).") var olderThan: String?
    @Option(help: "The SQLite database file.") var database: String?

    func run() async throws {
        let flags = database.map { [ConfigKey.database: FlagValue($0, flag: "--database")] } ?? [:]
        let server = try Settings.server(try Settings.load(configFile: config, flags: flags))
        var seconds = server.retentionDays * 86_400
        if let olderThan {
            guard let age = JobDuration(parsing: olderThan) else {
                throw ValidationError("--older-than must be a duration such as 30d, 12h or 3600 (got \(olderThan))")
            }
            seconds = age.seconds
        }
        let cutoff = Date().addingTimeInterval(-Double(seconds))
        let store = try Settings.existingDatabase(server.databasePath)
        let removed = try await store.purge(olderThan: cutoff, keepLast: server.keepLast)
        try store.close()
        print("Purged \(removed) result\(removed == 1 ? "" : "s") received before \(RFC3339.format(cutoff))"
            + (server.keepLast > 0 ? " (keeping the last \(server.keepLast) per job)" : ""))
    }
}
