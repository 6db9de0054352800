import Foundation

/// How long results are kept: `retention.days`, but at least
/// `retention.keep_last` per job however old.
public struct RetentionPolicy: Sendable, Hashable {
    public var days: Int
    public var keepLast: Int

    public init(days: Int, keepLast: Int) {
        self.days = days
        self.keepLast = keepLast
    }

    /// Results received before this are purged.
    public func cutoff(now: Date) -> Date {
        now.addingTimeInterval(-Double(days) * 86_400)
    }
}
