import Foundation

/// One change of a job's state, as its flip row says: its health (`result`,
/// `deadline`, `timeout`: to success, failure, missed_deadline or timeout) or
/// its life (`lifecycle`: to active, paused, maintenance until a time,
/// retired, or removed from the tree).
public struct Flip: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Date
    public var from: String?
    public var to: String
    public var reason: String
    public var runId: String?
    /// A maintenance flip's end (`maintenance_until`); nil: until changed.
    public var until: Date?

    public init(id: Int64 = 0, at: Date, from: String?, to: String, reason: String, runId: String? = nil, until: Date? = nil) {
        (self.id, self.at, self.from, self.to, self.reason, self.runId, self.until) = (id, at, from, to, reason, runId, until)
    }

    public var isLifecycle: Bool { reason == FlipReason.lifecycle.rawValue }

    /// Statuses that count as failing (a missed deadline and a timeout are failed runs).
    public static let failing: Set<String> = ["failure", "missed_deadline", "timeout"]

    /// A job's life as a lifecycle flip names it: removed from the tree, or its file's `status`.
    public static let removed = "removed"
}

/// Why a job's status changed, as its flip row says.
public enum FlipReason: String, Sendable {
    /// A result (or a ping) was stored.
    case result
    /// The job stayed silent past its deadline (also each further deadline it misses).
    case deadline
    /// A run stayed open past `max_runtime`.
    case timeout
    /// The job was added, removed, paused, put in maintenance or made active again.
    case lifecycle
}
