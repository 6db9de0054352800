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
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let server = try Settings.server(try Settings.load(configFile: config, flags: store.flags))
        var seconds = server.retentionDays * 86_400
        if let olderThan {
            guard let age = JobDuration(parsing: olderThan) else {
                throw ValidationError("--older-than must be a duration such as 30d, 12h or 3600 (got \(olderThan))")
            }
            seconds = age.seconds
        }
        let cutoff = Date().addingTimeInterval(-Double(seconds))
        let database = try await Settings.existingStore(server.storage)
        let removed: Int
        do {
            removed = try await database.purge(olderThan: cutoff, keepLast: server.keepLast)
        } catch {
            try? await database.close()
            printError("error: \(error)")
            throw ExitCode.failure
        }
        try? await database.close()
        print("Purged \(removed) result\(removed == 1 ? "" : "s") received before \(RFC3339.format(cutoff))"
            + (server.keepLast > 0 ? " (keeping the last \(server.keepLast) per job)" : ""))
    }
}
