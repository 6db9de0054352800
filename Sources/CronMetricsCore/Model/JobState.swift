import Foundation

/// What the server knows about a job beyond its file: its last result, counters,
/// and the bookkeeping of deadlines. Persisted in the `job_state` table.
public struct JobState: Sendable, Hashable {
    public var lastStatus: RunStatus?
    public var lastReceivedAt: Date?
    public var lastRunAt: Date?
    public var lastDuration: Double?
    public var lastExitCode: Int?
    public var lastSuccessAt: Date?
    public var lastFailureAt: Date?
    public var runsTotal: Int = 0
    public var failuresTotal: Int = 0
    public var missedDeadlinesTotal: Int = 0
    /// The deadline anchor whose miss was last counted, so one silence counts once.
    public var missedAnchor: Date?
    /// When the job last became active again (from maintenance, paused or retired):
    /// its deadline counts from then, not from a result that predates the pause.
    public var activatedAt: Date?

    public init() {}

    /// Folds one stored result into the state.
    public mutating func record(_ result: JobResult) {
        lastStatus = result.status
        lastReceivedAt = result.receivedAt
        lastRunAt = result.runAt
        lastDuration = result.duration
        lastExitCode = result.exitCode
        // A result ends the silence: the next one is new, even if the clock was
        // stepped back to the very instant the last one was counted from.
        missedAnchor = nil
        runsTotal += 1
        switch result.status {
        case .success:
            lastSuccessAt = result.runAt
        case .failure:
            lastFailureAt = result.runAt
            failuresTotal += 1
        }
    }
}
