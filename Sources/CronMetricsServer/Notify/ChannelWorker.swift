import CronMetricsCore
import Foundation
import Logging

/// Delivers one channel's notifications: claims due rows from the outbox,
/// keeps up to the channel's `concurrency` tries in flight, and writes the
/// outcomes back in small batches (one transaction, not one per message, so
/// a flood does not cost an fsync per delivery). Exits when its channel is no
/// longer configured, or on cancellation; rows it claimed and did not finish
/// go back to pending.
struct ChannelWorker: Sendable {
    let name: String
    /// What it works with: the store, settings, senders, metrics, log and
    /// clock are the dispatcher's.
    let dispatcher: NotificationDispatcher
    var pollInterval: Duration { dispatcher.pollInterval }

    private enum Event: Sendable {
        case finished(StateStore.ClaimedNotification, DeliveryOutcome, Date)
        case tick
    }

    func run() async {
        var done: [(id: Int64, update: NotificationUpdate)] = []
        await withTaskGroup(of: Event.self) { group in
            var queue: [StateStore.ClaimedNotification] = []
            var inFlight = 0, ticking = false
            var lastFlush = ContinuousClock.now
            while !Task.isCancelled, let channel = dispatcher.settings.notifications.channels[name] {
                let snapshot = dispatcher.settings.notifications
                if queue.isEmpty, inFlight < channel.concurrency,
                   await outbox("look for due notifications", or: false, { try await dispatcher.database.notificationsDue(channel: name, now: dispatcher.now(), claimant: dispatcher.claimant).due }) {
                    queue = await outbox("claim notifications", or: []) {
                        try await dispatcher.database.claimNotifications(channel: name, now: dispatcher.now(), limit: channel.concurrency * 8,
                                                                         claimant: dispatcher.claimant, lease: dispatcher.claimLease)
                    }
                }
                while inFlight < channel.concurrency, !queue.isEmpty {
                    let item = queue.removeFirst()
                    let payload = await outbox("encode a notification", or: "{}") { try item.record.event.json() }
                    group.addTask { [dispatcher] in
                        let outcome = await dispatcher.senders.send(item.record.event, payload: payload, via: channel, timeout: snapshot.timeout)
                        return .finished(item, outcome, dispatcher.now())
                    }
                    inFlight += 1
                }
                if inFlight == 0 {
                    await flush(&done)
                    try? await Task.sleep(for: pollInterval)
                    continue
                }
                if queue.isEmpty, inFlight < channel.concurrency, !ticking {
                    // Free slots: look for new work while the slow ones finish.
                    ticking = true
                    group.addTask { [pollInterval] in
                        try? await Task.sleep(for: pollInterval)
                        return .tick
                    }
                }
                switch await group.next() {
                case let .finished(item, outcome, at)?:
                    inFlight -= 1
                    done.append((item.record.id, record(item, outcome, at: at, policy: snapshot.retry)))
                case .tick?: ticking = false
                case nil: break
                }
                if done.count >= 64 || ContinuousClock.now - lastFlush > .milliseconds(100) {
                    await flush(&done)
                    lastFlush = ContinuousClock.now
                }
            }
            group.cancelAll()
            for await event in group {
                if case let .finished(item, outcome, at) = event, !Task.isCancelled {
                    done.append((item.record.id, record(item, outcome, at: at, policy: dispatcher.settings.notifications.retry)))
                }
            }
        }
        await flush(&done)
        _ = await outbox("release claims", or: 0) { try await dispatcher.database.releaseClaims(channel: name, claimant: dispatcher.claimant) }
    }

    /// `body`'s value, or `fallback` when the outbox failed: logged and
    /// counted (`cronmetrics_notification_errors_total`), never dropped
    /// silently. The rows stay as they were and are tried at the next pass.
    private func outbox<T>(_ what: String, or fallback: T, _ body: () async throws -> T) async -> T {
        do {
            return try await body()
        } catch {
            dispatcher.metrics.countError(channel: name)
            dispatcher.logger.error("notification outbox: could not \(what)", metadata: ["channel": .string(name), "error": .string("\(error)")])
            return fallback
        }
    }

    /// The row's new state after a try, by the retry policy; counted and logged.
    func record(_ item: StateStore.ClaimedNotification, _ outcome: DeliveryOutcome, at: Date, policy: RetryPolicy) -> NotificationUpdate {
        let record = item.record
        let metadata: Logger.Metadata = ["channel": .string(name), "job": .string(record.jobId), "event": .string(record.kind),
                                         "event_id": .string(record.eventId), "attempt": "\(record.attempts + 1)"]
        switch outcome {
        case let .delivered(status):
            dispatcher.metrics.count(.delivered, channel: name)
            dispatcher.metrics.observe(latency: max(0, at.timeIntervalSince(item.queuedAt)), channel: name)
            dispatcher.logger.debug("notification delivered", metadata: metadata)
            return .delivered(at: at, status: status)
        case let .permanent(status, error):
            dispatcher.metrics.count(.dead, channel: name)
            dispatcher.logger.warning("notification refused for good; kept as a dead letter", metadata: metadata.merging(["error": .string(error)]) { $1 })
            return .dead(at: at, status: status, error: error)
        case let .retry(status, error, retryAfter):
            let attempts = record.attempts + 1
            let next = at.addingTimeInterval(policy.delay(afterAttempts: attempts, retryAfter: retryAfter) { Double.random(in: $0) })
            guard policy.allowsRetry(afterAttempts: attempts, created: item.queuedAt, next: next) else {
                dispatcher.metrics.count(.dead, channel: name)
                dispatcher.logger.warning("notification given up; kept as a dead letter", metadata: metadata.merging(["error": .string(error)]) { $1 })
                return .dead(at: at, status: status, error: "gave up after \(attempts) attempt(s): \(error)")
            }
            dispatcher.metrics.count(.retried, channel: name)
            dispatcher.logger.info("notification not delivered; will retry", metadata: metadata.merging([
                "error": .string(error), "next_attempt": .string(RFC3339.format(next)),
            ]) { $1 })
            return .retry(at: at, next: next, status: status, error: error)
        }
    }

    private func flush(_ done: inout [(id: Int64, update: NotificationUpdate)]) async {
        guard !done.isEmpty else { return }
        do {
            try await dispatcher.database.recordDeliveries(done)
            done.removeAll()
        } catch {
            // Kept for the next flush; if the process dies first the rows stay
            // `sending` and are sent again after the restart (at least once).
            dispatcher.metrics.countError(channel: name)
            dispatcher.logger.error("notification outcomes not saved; retrying", metadata: ["channel": .string(name), "error": .string("\(error)")])
        }
    }
}
