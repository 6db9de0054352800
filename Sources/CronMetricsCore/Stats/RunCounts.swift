import Foundation

/// What a job's runs did in some hours: a rollup row, or rows added up.
/// A missed deadline and a timeout each count as a failed run.
public struct RunCounts: Sendable, Hashable {
    public var successes = 0
    public var failures = 0
    public var missedDeadlines = 0
    public var timeouts = 0
    public var durationMax: Double?
    public var durations = DurationSketch()

    public init(successes: Int = 0, failures: Int = 0, missedDeadlines: Int = 0, timeouts: Int = 0,
                durationMax: Double? = nil, durations: DurationSketch = DurationSketch()) {
        (self.successes, self.failures, self.missedDeadlines, self.timeouts) = (successes, failures, missedDeadlines, timeouts)
        (self.durationMax, self.durations) = (durationMax, durations)
    }

    public var runs: Int { successes + failures + missedDeadlines + timeouts }
    /// Runs that failed in any way.
    public var failed: Int { failures + missedDeadlines + timeouts }

    /// Successes over runs; nil without runs.
    public var successRatio: Double? {
        runs > 0 ? Double(successes) / Double(runs) : nil
    }

    public mutating func add(_ other: RunCounts) {
        successes += other.successes
        failures += other.failures
        missedDeadlines += other.missedDeadlines
        timeouts += other.timeouts
        if let theirs = other.durationMax { durationMax = max(durationMax ?? theirs, theirs) }
        durations.merge(other.durations)
    }
}
