import Foundation

/// What the deadline bookkeeping of one job is, for the `job_state` table.
public struct Bookkeeping: Sendable, Hashable {
    public var jobID: JobID
    public var missedDeadlinesTotal: Int
    public var missedAnchor: Date?
    public var activatedAt: Date?

    public init(jobID: JobID, missedDeadlinesTotal: Int, missedAnchor: Date?, activatedAt: Date?) {
        self.jobID = jobID
        self.missedDeadlinesTotal = missedDeadlinesTotal
        self.missedAnchor = missedAnchor
        self.activatedAt = activatedAt
    }
}

/// A run that stayed open past its job's `max_runtime`: closed as timed out,
/// counted as a failure once.
public struct TimedOutRun: Sendable, Hashable {
    public var jobID: JobID
    /// The row in `runs`.
    public var runID: Int64
    /// When it timed out: its start plus `max_runtime`.
    public var at: Date
}

/// What the live state has changed by itself (missed deadlines, timeouts) and
/// the database does not hold yet.
public struct PendingChanges: Sendable, Hashable {
    public var bookkeeping: [Bookkeeping] = []
    public var timeouts: [TimedOutRun] = []

    public init(bookkeeping: [Bookkeeping] = [], timeouts: [TimedOutRun] = []) {
        self.bookkeeping = bookkeeping
        self.timeouts = timeouts
    }

    public var isEmpty: Bool { bookkeeping.isEmpty && timeouts.isEmpty }
}
