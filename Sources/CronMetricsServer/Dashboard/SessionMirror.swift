import CronMetricsCore
import Foundation
import ServiceLifecycle

/// Replicas: copies the sign-outs every replica recorded in the store into
/// this one's memory every interval, so a live stream (which checks its
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

    func pull() async throws(StoreError) {
        revocations.merge(try await database.sessionRevocations(now: now()), now: now())
    }
}
