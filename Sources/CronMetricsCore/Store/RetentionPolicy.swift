import Foundation

/// How long results are kept: `retention.days`, but at least
/// `retention.keep_last` per job however old; rollups and flips, the history
/// statistics are counted from, for `retention.rollup_days`; audit rows for
/// `retention.audit_days`.
public struct RetentionPolicy: Sendable, Hashable {
    public var days: Int
    public var keepLast: Int
    public var rollupDays: Int
    public var auditDays: Int

    public init(days: Int, keepLast: Int, rollupDays: Int = 400, auditDays: Int = 400) {
        self.days = days
        self.keepLast = keepLast
        self.rollupDays = rollupDays
        self.auditDays = auditDays
    }

    /// Audit rows written before this are purged.
    public func auditCutoff(now: Date) -> Date {
        now.addingTimeInterval(-Double(auditDays) * 86_400)
    }

    /// Results received before this are purged.
    public func cutoff(now: Date) -> Date {
        now.addingTimeInterval(-Double(days) * 86_400)
    }

    /// Rollups of periods that ended before this, and flips before it, are purged.
    public func historyCutoff(now: Date) -> Date {
        now.addingTimeInterval(-Double(rollupDays) * 86_400)
    }
}
