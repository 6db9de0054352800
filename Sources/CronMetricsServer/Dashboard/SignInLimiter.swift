import Foundation
import Synchronization

/// Sign-in attempts per client address: at most `limit` within `window`
/// seconds; beyond that the address waits until its window ends (429 with
/// `Retry-After`), whatever the key.
///
/// An attempt is taken before the key is read, so many at once cannot slip
/// past the count; a sign-in that succeeds gives back its own attempt and no
/// other, so a valid key (a read-only one) never clears the failures of
/// guesses at another. The table holds at most `capacity` addresses: past
/// that, expired windows go first, then the oldest (an address forgotten
/// that way starts again at zero, which costs an attacker as many addresses
/// as the table holds).
final class SignInLimiter: Sendable {
    private struct Entry {
        var attempts: Int
        var since: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    let limit: Int
    let window: Double
    let capacity: Int

    init(limit: Int = 10, window: Double = 600, capacity: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// Takes one attempt for `address`.
    /// - Returns: nil when it may try now; otherwise the seconds until it may.
    func take(_ address: String, now: Date) -> Int? {
        entries.withLock { entries in
            if let entry = entries[address], entry.since.addingTimeInterval(window) > now {
                guard entry.attempts < limit else {
                    return Int(entry.since.addingTimeInterval(window).timeIntervalSince(now).rounded(.up))
                }
                entries[address]?.attempts += 1
                return nil
            }
            entries[address] = Entry(attempts: 1, since: now)
            if entries.count > capacity { evict(&entries, now: now) }
            return nil
        }
    }

    /// Gives back the attempt of a sign-in that succeeded.
    func giveBack(_ address: String, now: Date) {
        entries.withLock { entries in
            guard let entry = entries[address], entry.since.addingTimeInterval(window) > now, entry.attempts > 0 else { return }
            entries[address]?.attempts -= 1
        }
    }

    var count: Int { entries.withLock { $0.count } }

    private func evict(_ entries: inout [String: Entry], now: Date) {
        entries = entries.filter { $0.value.since.addingTimeInterval(window) > now }
        guard entries.count > capacity else { return }
        // A tenth at once, so the sort is paid rarely.
        let oldest = entries.sorted { $0.value.since < $1.value.since }.prefix(entries.count - capacity + capacity / 10)
        for (address, _) in oldest { entries[address] = nil }
    }
}
