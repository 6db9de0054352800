import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle

/// Checks deadlines every interval, so a silent job is failed (and its
/// `missed_deadlines_total` counted and saved) even when nobody scrapes.
///
/// With replicas, every one evaluates deadlines in memory (each exports the
/// same series), the leader saves what they change, and a follower saves
/// only misses and timeouts overdue by `ha.takeover_after` (a leader that is
/// frozen keeps its lock but saves nothing). The store's compare-and-set
/// makes a second save of the same miss write no flip and no notification.
struct DeadlineService: NamedService {
    let state: LiveState
    let database: StateStore
    /// Where notifications of missed deadlines and timeouts go.
    var settings: RuntimeSettings?
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Replicas: who leads, when followers take over, who re-reads jobs a save found behind.
    var leadership: Leadership? = nil
    var takeoverAfter: Duration = .seconds(10)
    var refresher: StateRefresher? = nil

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
        let time = now()
        let pending = state.tick(now: time)
        let leading = leadership?.isLeader ?? true
        let changes = leading ? pending : pending.overdue(by: takeoverAfter, now: time)
        guard !changes.isEmpty else { return }
        do {
            let versions = try await database.save(changes, notifications: settings?.notifications, now: now())
            let behind = state.saved(changes, versions: versions)
            if !behind.isEmpty { refresher?.refresh(behind) }
            for change in changes.bookkeeping where change.missedAnchor != nil {
                logger.warning(leading ? "job missed its deadline" : "job missed its deadline; saved by a follower (the leader did not)", metadata: [
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
