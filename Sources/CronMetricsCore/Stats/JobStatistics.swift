import Foundation

/// A job's (or a group of jobs') statistics over a window, as the API and
/// the CLI show them. Ratios and percentiles are absent when there is
/// nothing to compute them from (no runs, no time counted, no durations).
public struct JobStatistics: Codable, Sendable, Hashable {
    public struct Window: Codable, Sendable, Hashable {
        public var from: Date
        public var to: Date
        /// `30d`, or absent for a from/to window.
        public var name: String?
    }

    /// Run durations in seconds: percentiles within 1% (nearest rank), the exact maximum.
    public struct Durations: Codable, Sendable, Hashable {
        public var count: Int
        public var p50: Double?
        public var p95: Double?
        public var p99: Double?
        public var max: Double?
    }

    /// The job's runs since its status last changed between passing and failing.
    public struct Streak: Codable, Sendable, Hashable {
        /// `success` or `failing`.
        public var status: String
        public var runs: Int
        public var since: Date?
    }

    public var jobId: String?
    public var jobs: Int?
    public var window: Window
    public var runs: Int
    public var successes: Int
    public var failures: Int
    public var missedDeadlines: Int
    public var timeouts: Int
    public var successRatio: Double?
    public var uptimeRatio: Double?
    public var secondsCounted: Double
    public var secondsFailing: Double
    public var outages: Int
    public var longestOutageSeconds: Double?
    public var meanTimeBetweenFailuresSeconds: Double?
    public var duration: Durations
    public var currentStreak: Streak?

    /// - Parameters:
    ///   - timelines: one per job counted (a group adds their times up).
    public init(window: StatsWindow, counts: RunCounts, timelines: [Timeline], jobId: String? = nil, jobs: Int? = nil,
                streak: Streak? = nil) {
        self.jobId = jobId
        self.jobs = jobs
        self.window = Window(from: window.from, to: window.to, name: window.name)
        (runs, successes, failures) = (counts.runs, counts.successes, counts.failures)
        (missedDeadlines, timeouts) = (counts.missedDeadlines, counts.timeouts)
        successRatio = counts.successRatio
        secondsCounted = timelines.reduce(0) { $0 + $1.countedSeconds }
        secondsFailing = timelines.reduce(0) { $0 + $1.failingSeconds }
        uptimeRatio = secondsCounted > 0 ? 1 - secondsFailing / secondsCounted : nil
        outages = timelines.reduce(0) { $0 + $1.outages.count }
        longestOutageSeconds = timelines.compactMap(\.longestOutage).max()
        let onsets = timelines.reduce(0) { $0 + $1.onsets }
        meanTimeBetweenFailuresSeconds = onsets > 0 ? (secondsCounted - secondsFailing) / Double(onsets) : nil
        duration = Durations(count: counts.durations.count, p50: counts.durations.quantile(0.50), p95: counts.durations.quantile(0.95),
                             p99: counts.durations.quantile(0.99), max: counts.durationMax)
        currentStreak = streak
    }
}
