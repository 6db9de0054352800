import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics purge [--older-than 30d]`: apply retention now.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete results older than the retention period (keeping retention.keep_last per job), and rollups and flips older than retention.rollup_days.")

    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).") var config: String?
    @Option(help: "Age limit for results, e.g. 30d or 12h (default: retention.days).") var olderThan: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        var age: Int?
        if let olderThan {
            guard let parsed = JobDuration(parsing: olderThan) else {
                throw ValidationError("--older-than must be a duration such as 30d, 12h or 3600 (got \(olderThan))")
            }
            age = parsed.seconds
        }
        try await Settings.withExistingStore(config: config, flags: store.flags) { server, database in
            let now = Date()
            let cutoff = now.addingTimeInterval(-Double(age ?? server.retentionDays * 86_400))
            let removed = try await database.purge(olderThan: cutoff, keepLast: server.keepLast)
            let history = server.retention.historyCutoff(now: now)
            let (rollups, flips) = try await database.purgeHistory(before: history)
            print("Purged \(removed) result\(removed == 1 ? "" : "s") received before \(RFC3339.format(cutoff))"
                + (server.keepLast > 0 ? " (keeping the last \(server.keepLast) per job)" : ""))
            print("Purged \(rollups) rollup\(rollups == 1 ? "" : "s") and \(flips) flip\(flips == 1 ? "" : "s") before \(RFC3339.format(history)) (retention.rollup_days)")
            let auditCutoff = server.retention.auditCutoff(now: now)
            let audit = try await database.purgeAudit(before: auditCutoff)
            print("Purged \(audit) audit row\(audit == 1 ? "" : "s") before \(RFC3339.format(auditCutoff)) (retention.audit_days)")
        }
    }
}
