import CronMetricsCore
import Foundation
import ServiceLifecycle

/// Replicas: writes the sign-outs this replica could not share when they were
/// made (the store did not answer), and copies the sign-outs every replica
/// recorded in the store into this one's memory, every interval, so a live stream (which checks its
/// session before each batch without a query) ends within that interval of a
/// sign-out made elsewhere. Pages ask the store themselves at once.
struct SessionMirror: NamedService {
    let database: StateStore
    let revocations: SessionRevocations
    let interval: Duration
    let now: @Sendable () -> Date

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await pull()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Writes the sign-outs this replica could not share when they were
    /// made, then takes in everybody's.
    func pull() async throws(StoreError) {
        let unshared = revocations.takeUnshared()
        for (index, (nonce, expiry)) in unshared.sorted(by: { $0.key < $1.key }).enumerated() {
            do {
                try await database.revokeSession(nonce, until: expiry, now: now())
            } catch {
                for (nonce, expiry) in unshared.sorted(by: { $0.key < $1.key }).dropFirst(index) {
                    revocations.keepUnshared(nonce, until: expiry)
                }
                throw error
            }
        }
        revocations.merge(try await database.sessionRevocations(now: now()), now: now())
    }
}
