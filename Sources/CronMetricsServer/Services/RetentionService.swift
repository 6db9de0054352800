import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle

/// Purges results older than `retention.days` (keeping `retention.keep_last`
/// per job) shortly after start and then once a day, in small batches so
/// submissions are never blocked for long.
struct RetentionService: NamedService {
    let database: StateStore
    /// Read at each purge: a reload of the configuration changes it.
    let settings: RuntimeSettings
    let now: @Sendable () -> Date
    let logger: Logger
    var interval: Duration = .seconds(86_400)
    var firstDelay: Duration = .seconds(60)
    /// Replicas: only the leader purges (a follower checks again each hour).
    var leadership: Leadership? = nil

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: firstDelay)
            while !Task.isCancelled {
                guard leadership?.isLeader ?? true else {
                    try await Task.sleep(for: min(interval, .seconds(3600)))
                    continue
                }
                await purge()
                try await Task.sleep(for: interval)
            }
        }
    }

    func purge() async {
        let policy = settings.retention
        let cutoff = policy.cutoff(now: now())
        do {
            let removed = try await database.purge(olderThan: cutoff, keepLast: policy.keepLast)
            logger.info("retention: results purged", metadata: [
                "removed": "\(removed)", "older_than": .string(RFC3339.format(cutoff)), "keep_last": "\(policy.keepLast)",
            ])
            let history = policy.historyCutoff(now: now())
            let (rollups, flips) = try await database.purgeHistory(before: history)
            logger.info("retention: history purged", metadata: [
                "rollups": "\(rollups)", "flips": "\(flips)", "older_than": .string(RFC3339.format(history)),
            ])
            let auditCutoff = policy.auditCutoff(now: now())
            let audit = try await database.purgeAudit(before: auditCutoff)
            logger.info("retention: audit rows purged", metadata: ["removed": "\(audit)", "older_than": .string(RFC3339.format(auditCutoff))])
        } catch {
            logger.error("retention: purge failed", metadata: ["error": .string("\(error)")])
        }
    }
}
