import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle

/// Checks deadlines every interval, so a silent job is failed (and its
/// `missed_deadlines_total` counted and saved) even when nobody scrapes.
struct DeadlineService: NamedService {
    let state: LiveState
    let database: StateStore
    /// Where notifications of missed deadlines and timeouts go.
    var settings: RuntimeSettings?
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await tick()
            }
        }
        // One last pass, so bookkeeping counted since the last tick is saved.
        await tick()
    }

    func tick() async {
        let changes = state.tick(now: now())
        guard !changes.isEmpty else { return }
        do {
            try await database.save(changes, notifications: settings?.notifications, now: now())
            state.saved(changes)
            for change in changes.bookkeeping where change.missedAnchor != nil {
                logger.warning("job missed its deadline", metadata: [
                    "job": .string(change.jobID.jobName), "host": .string(change.jobID.host),
                    "missed_deadlines_total": "\(change.missedDeadlinesTotal)",
                ])
            }
        } catch {
            // Still pending in the live state: the next tick tries again.
            logger.error("deadline bookkeeping not saved; retrying on the next tick", metadata: ["error": .string("\(error)")])
        }
    }
}
