import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one ``ChannelWorker`` per configured channel (starting new ones when
/// a reload adds channels), announces what quiet jobs left unsaid and the
/// repeats (``StateStore/announcePending(_:now:)``), retires rows whose channel
/// is gone, and keeps the queue gauges fresh: counted from the outbox on
/// every pass, at least once a second (a grouped count on an index; the
/// housekeeping passes come only every `announceInterval`).
struct NotificationDispatcher: NamedService {
    let database: StateStore
    let settings: RuntimeSettings
    let senders: NotificationSenders
    let metrics: NotificationMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    let pollInterval: Duration
    let announceInterval: Duration
    /// Replicas: this one's name on its claims, their lease, and who leads
    /// (only the leader announces what quiet jobs left unsaid, and repeats).
    var claimant: String = StateStore.localClaimant
    var claimLease: Duration = .seconds(120)
    var leadership: Leadership? = nil
    /// Whether claims of others may be reset at start (one server alone).
    var alone = true

    func run() async throws {
        // Claims of a process that died are sent again: at least once. With
        // replicas only this one's own; others' wait for their lease.
        if let reset = try? await database.resetSending(claimant: alone ? nil : claimant), reset > 0 {
            logger.info("notifications claimed before a stop go out again", metadata: ["count": "\(reset)"])
        }
        let running = RunningChannels()
        try? await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var lastAnnounce = ContinuousClock.now - announceInterval
                // An escalation step falls due between passes: the pass comes then.
                var nextEscalation: Date?
                while !Task.isCancelled {
                    let current = settings.notifications
                    for name in current.channels.keys.sorted() where running.names.withLock({ $0.insert(name).inserted }) {
                        let worker = ChannelWorker(name: name, dispatcher: self)
                        group.addTask {
                            await worker.run()
                            _ = running.names.withLock { $0.remove(name) }
                        }
                    }
                    let escalationDue = nextEscalation.map { $0 <= now() } ?? false
                    if ContinuousClock.now - lastAnnounce >= announceInterval || escalationDue, leadership?.isLeader ?? true {
                        lastAnnounce = ContinuousClock.now
                        await housekeeping(current)
                        nextEscalation = try? await database.nextEscalation(current, now: now())
                    }
                    await refreshQueued()
                    try? await Task.sleep(for: min(pollInterval * 4, .seconds(1)))
                }
                group.cancelAll()
            }
        }
    }

    func housekeeping(_ current: NotificationSettings) async {
        do {
            let written = try await database.announcePending(current, now: now())
            if written > 0 { logger.info("notifications announced for jobs no longer quiet, or repeated", metadata: ["rows": "\(written)"]) }
            let orphaned = try await database.abandonNotifications(keeping: Set(current.channels.keys))
            if orphaned > 0 {
                logger.warning("notifications for channels no longer configured kept as dead letters", metadata: ["rows": "\(orphaned)"])
            }
        } catch {
            logger.error("notification housekeeping failed", metadata: ["error": .string("\(error)")])
        }
    }

    func refreshQueued() async {
        do {
            metrics.setQueued(try await database.notificationCounts())
        } catch {
            logger.error("notification queue not counted", metadata: ["error": .string("\(error)")])
        }
    }
}

/// The channels that have a worker now.
final class RunningChannels: Sendable {
    let names = Mutex(Set<String>())
}
