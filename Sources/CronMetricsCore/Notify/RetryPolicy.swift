import Foundation

/// When a failed delivery is tried again: exponential backoff with full
/// jitter (a random delay between 0 and `min(cap, base × 2^attempt)`), at most
/// `maxAttempts` tries and never after `maxAge` from the event. Full jitter
/// spreads a flood of retries (10,000 jobs failing at once, a receiver down)
/// over the whole window instead of hitting the receiver in waves.
public struct RetryPolicy: Sendable, Hashable {
    public var base: Double
    public var cap: Double
    public var maxAttempts: Int
    public var maxAge: Double

    public init(base: Double = 1, cap: Double = 600, maxAttempts: Int = 10, maxAge: Double = 86_400) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
    }

    /// The delay before the next try after `attempts` failed ones, or the
    /// receiver's own `Retry-After` when it gave one (then no jitter: it said
    /// when), capped so that a hostile header cannot park a message forever.
    public func delay(afterAttempts attempts: Int, retryAfter: Double?, random: (ClosedRange<Double>) -> Double) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), cap) }
        let ceiling = min(cap, base * pow(2, Double(min(attempts - 1, 40))))
        return random(0...ceiling)
    }

    /// Whether another try is allowed after `attempts` failed ones, for an
    /// event made at `created`, if the next would be at `next`.
    public func allowsRetry(afterAttempts attempts: Int, created: Date, next: Date) -> Bool {
        attempts < maxAttempts && next.timeIntervalSince(created) <= maxAge
    }
}
