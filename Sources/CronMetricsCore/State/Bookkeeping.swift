import Foundation

/// What the deadline bookkeeping of one job is, for the `job_state` table.
public struct Bookkeeping: Sendable, Hashable {
    public var jobID: JobID
    public var missedDeadlinesTotal: Int
    public var missedAnchor: Date?
    public var activatedAt: Date?
    /// When the deadline counted in `missedAnchor` passed (not stored: a
    /// follower saves a miss only once it is overdue by `ha.takeover_after`).
    public var missedAt: Date?
    /// The job's state version this was counted at: the save writes the
    /// anchor (and the miss's flip and notifications) only if the stored
    /// state is still at it. A signal or another replica's save in between
    /// made it stale; its count still only raises the stored one.
    public var version: Int64

    /// The same stored values (the version and `missedAt` are not stored: a
    /// save that moved the version on saved these values all the same).
    public static func == (lhs: Bookkeeping, rhs: Bookkeeping) -> Bool {
        (lhs.jobID, lhs.missedDeadlinesTotal, lhs.missedAnchor, lhs.activatedAt)
            == (rhs.jobID, rhs.missedDeadlinesTotal, rhs.missedAnchor, rhs.activatedAt)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(jobID)
        hasher.combine(missedDeadlinesTotal)
        hasher.combine(missedAnchor)
        hasher.combine(activatedAt)
    }

    public init(jobID: JobID, missedDeadlinesTotal: Int, missedAnchor: Date?, activatedAt: Date?, version: Int64) {
        (self.jobID, self.version) = (jobID, version)
        (self.missedDeadlinesTotal, self.missedAnchor, self.activatedAt) = (missedDeadlinesTotal, missedAnchor, activatedAt)
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

    /// The misses and timeouts that happened more than `delay` before `now`:
    /// what a follower saves when the leader has not.
    public func overdue(by delay: Duration, now: Date) -> PendingChanges {
        let before = now.addingTimeInterval(-(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18))
        return PendingChanges(bookkeeping: bookkeeping.filter { $0.missedAt.map { $0 < before } ?? false },
                              timeouts: timeouts.filter { $0.at < before })
    }
}

/// A job's state version before and after a write of this server's.
public struct StateVersions: Sendable, Hashable {
    public var before, after: Int64

    public init(before: Int64, after: Int64) {
        (self.before, self.after) = (before, after)
    }
}
