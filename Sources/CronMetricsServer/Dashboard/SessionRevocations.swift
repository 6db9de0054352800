import Foundation
import Synchronization

/// Dashboard sessions signed out before they expired: their nonces, each
/// kept until the session would have expired (after that the cookie's own
/// expiry refuses it). Memory is bounded: past `capacity` the expired are
/// dropped first, then those that expire soonest.
final class SessionRevocations: Sendable {
    private let entries = Mutex<[String: Date]>([:])
    /// Replicas: sign-outs the store has not taken yet (it did not answer);
    /// ``SessionMirror`` writes them on its next pass.
    private let unshared = Mutex<[String: Date]>([:])
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func revoke(_ nonce: String, until expiry: Date, now: Date) {
        entries.withLock { entries in
            entries[nonce] = expiry
            guard entries.count > capacity else { return }
            entries = entries.filter { $0.value > now }
            if entries.count > capacity {
                // A tenth at once, so the sort is paid rarely.
                let drop = entries.sorted { $0.value < $1.value }.prefix(entries.count - capacity + capacity / 10)
                for (key, _) in drop { entries[key] = nil }
            }
        }
    }

    func keepUnshared(_ nonce: String, until expiry: Date) {
        unshared.withLock { $0[nonce] = expiry }
    }

    /// The sign-outs still to write to the store, emptied.
    func takeUnshared() -> [String: Date] {
        unshared.withLock { pending in
            defer { pending = [:] }
            return pending
        }
    }

    /// Takes in the sign-outs other replicas recorded (``SessionMirror``).
    func merge(_ revoked: [String: Date], now: Date) {
        for (nonce, expiry) in revoked where !isRevoked(nonce) {
            revoke(nonce, until: expiry, now: now)
        }
    }

    func isRevoked(_ nonce: String) -> Bool {
        entries.withLock { $0[nonce] != nil }
    }

    var count: Int { entries.withLock { $0.count } }
}
