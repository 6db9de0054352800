import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One replica's part in a group sharing one PostgreSQL, on a connection of
/// its own (``PostgresCoordination``):
/// - it listens for changes of job state other replicas commit and has them
///   re-read (``StateRefresher``); after every (re)connection it resyncs in
///   full, since notifications sent while it was away are lost;
/// - it tries for the leader's lock every `ha.leader_retry` while following;
///   while leading it checks the connection as often, and stops leading the
///   moment the connection closes or a check fails or hangs (self-fencing:
///   its lock may be gone with the session);
/// - it writes its heartbeat row in `replicas` (name, version, tree digest).
struct ReplicaCoordinator: NamedService {
    let settings: PostgresSettings
    /// Who leads, who re-reads the jobs others changed, where the heartbeat's tree digest comes from.
    let leadership: Leadership, refresher: StateRefresher, metrics: ServerMetrics
    /// How often to try for the lock (following) or check the connection (leading).
    let interval: Duration
    let now: @Sendable () -> Date, logger: Logger

    /// How long a check of the connection may take before the leader gives up leading.
    static let checkTimeout: Duration = .seconds(3)

    func run() async throws {
        let startedAt = now()
        try? await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(250)
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresCoordination.connect(settings, logger: logger)
                    delay = .milliseconds(250)
                    await serve(connection, startedAt: startedAt)
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("cannot reach PostgreSQL for coordination; retrying", metadata: [
                        "error": .string(PostgresDriver.explain(error)), "retry_in": "\(delay)",
                    ])
                }
                stopLeading(reason: "the coordination connection is gone")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        stopLeading(reason: "shutting down")
    }

    private func stopLeading(reason: String) {
        if leadership.set(false) {
            logger.warning("stopped leading", metadata: ["replica": .string(leadership.replicaName), "reason": .string(reason)])
        }
    }

    /// Uses one connection until it fails.
    private func serve(_ connection: PostgresCoordination, startedAt: Date) async {
        let (leadership, logger) = (leadership, logger)
        connection.onClose {
            // At once, not at the next check: the lock may be gone with the session.
            if leadership.set(false) {
                logger.warning("stopped leading", metadata: ["replica": .string(leadership.replicaName),
                                                              "reason": "the coordination connection closed"])
            }
        }
        defer { Task { await connection.close() } }
        do {
            let changes = try await connection.stateChanges()
            refresher.refreshAll()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await ids in changes { refresher.refresh(ids) }
                }
                group.addTask {
                    while true {
                        try await check(connection, startedAt: startedAt)
                        try await Task.sleep(for: interval)
                    }
                }
                // Whichever ends first (a failed listen or check) ends both.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            logger.warning("coordination connection failed", metadata: ["error": .string(PostgresDriver.explain(error))])
        }
        await connection.close()
    }

    /// Tries for the lock (following) and writes the heartbeat, within
    /// ``checkTimeout``; throws when that fails or hangs.
    private func check(_ connection: PostgresCoordination, startedAt: Date) async throws {
        let leadership = leadership, metrics = metrics, now = now, logger = logger
        // Set once the check took too long: from then on this connection leads no more.
        let expired = Expiry()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if !leadership.isLeader, try await connection.tryLeading() {
                    let lead = expired.flag.withLock { expired in
                        guard !expired, !connection.isClosed else { return false }
                        leadership.set(true)
                        return true
                    }
                    if lead { logger.notice("leading", metadata: ["replica": .string(leadership.replicaName)]) }
                }
                try await connection.heartbeat(name: leadership.replicaName, version: CronMetricsVersion.current,
                                               treeDigest: metrics.lastReload.configHash, startedAt: startedAt, now: now())
                leadership.heard(leader: leadership.isLeader ? leadership.replicaName : try await connection.leaderName())
                return true
            }
            group.addTask {
                try await Task.sleep(for: Self.checkTimeout)
                // Fenced now, before the hung check is waited for.
                expired.flag.withLock { $0 = true }
                self.stopLeading(reason: "the coordination connection did not answer within \(Self.checkTimeout)")
                return false
            }
            let answered = try await group.next() ?? false
            group.cancelAll()
            if !answered {
                throw StoreError.unavailable("the coordination connection did not answer within \(Self.checkTimeout)")
            }
        }
    }
}

/// Whether a check ran out of time (shared by its two racing tasks).
private final class Expiry: Sendable {
    let flag = Mutex(false)
}
