import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics stats rebuild [--since DATE] [--force]`: recount the rollups
/// from the raw history kept (results, runs, deadline flips), on the store itself.
struct StatsRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recount the hourly and daily rollups from the raw history (default: the days retention.days keeps).")

    @Option(help: "Rebuild from this day (RFC 3339, rounded down to a UTC day); older rollups are kept.") var since: String?
    @Flag(help: "Rebuild from --since even where retention.days purged the raw results (those rollups lose the purged runs).")
    var force = false
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).") var config: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let date = try since.map { text in
            guard let date = RFC3339.parse(text) else { throw ValidationError("--since must be an RFC 3339 time (got \(text))") }
            return date
        }
        try await Settings.withExistingStore(config: config, flags: store.flags) { server, database in
            // The first whole day retention keeps raw results for: the day the cutoff falls in is partly purged.
            let kept = server.retention.cutoff(now: Date()).addingTimeInterval(86_400)
            if let date, date < kept, !force {
                printError("error: --since \(RFC3339.format(date)) is before \(RFC3339.format(kept)), the first whole day whose raw "
                           + "results retention.days (\(server.retentionDays)) keeps: the rollups before it hold runs whose results "
                           + "are purged, and a rebuild would lose them. Give a later --since, or --force to rebuild anyway.")
                throw ExitCode.failure
            }
            let (from, rows) = try await database.rebuildRollups(since: date ?? kept)
            print("Rebuilt \(rows) rollup\(rows == 1 ? "" : "s") from \(RFC3339.format(from)); older ones kept")
        }
    }
}
