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
    /// Runs closed by `max_runtime` (each also counted in ``failuresTotal``).
    public var timeoutsTotal: Int = 0
    /// The durations of its runs since it exported them (jobs with `cronjob_duration_seconds` only).
    public var durationHistogram: DurationHistogram?
    /// The deadline anchor whose miss was last counted, so one silence counts once.
    public var missedAnchor: Date?
    /// When the job last became active again (from maintenance, paused or retired):
    /// its deadline counts from then, not from a result that predates the pause.
    public var activatedAt: Date?
    /// When a run last signalled its start.
    public var lastStartAt: Date?
    /// When a run last timed out (stayed open past `max_runtime`).
    public var lastTimeoutAt: Date?
    /// Runs started and not yet finished, oldest first.
    public var openRuns: [OpenRun] = []
    /// Bumped by every write of the job's state in the store (each replica
    /// sees the same number): what a replica applied is newer or older than
    /// a stored snapshot by it (``LiveState/applyStored(_:now:)``).
    public var version: Int64 = 0

    public init() {}

    /// Folds one stored start signal into the state.
    public mutating func start(_ run: OpenRun) {
        lastStartAt = max(lastStartAt ?? run.startedAt, run.startedAt)
        openRuns.append(run)
        openRuns.sort { $0.startedAt < $1.startedAt }
    }

    /// Folds one stored result into the state (a `log` entry changes nothing).
    public mutating func record(_ result: JobResult) {
        guard result.status != .log else { return }
        if let closed = result.closedRun {
            openRuns.removeAll { $0.id == closed }
        }
        lastStatus = result.status
        lastReceivedAt = result.receivedAt
        lastRunAt = result.runAt
        lastDuration = result.duration
        lastExitCode = result.exitCode
        // A result ends the silence: the next one is new, even if the clock was
        // stepped back to the very instant the last one was counted from.
        missedAnchor = nil
        runsTotal += 1
        if result.countsDuration, result.status != .log, let duration = result.duration {
            durationHistogram = durationHistogram ?? DurationHistogram()
            durationHistogram?.add(duration)
        }
        switch result.status {
        case .success:
            lastSuccessAt = result.runAt
        case .failure:
            lastFailureAt = result.runAt
            failuresTotal += 1
        case .log:
            break
        }
    }

    /// Closes the runs open past `maxRuntime` as timed out, each a failure.
    /// `postponed` moves a limit that falls where `max_runtime` is suspended
    /// (a maintenance window) to where it ends.
    ///
    /// - Returns: the runs that timed out now, and when each did.
    public mutating func timeOut(maxRuntime: Int, now: Date, postponed: (Date) -> Date = { $0 }) -> [(run: OpenRun, at: Date)] {
        var timedOut: [(OpenRun, Date)] = []
        openRuns.removeAll { run in
            let limit = postponed(run.startedAt.addingTimeInterval(TimeInterval(maxRuntime)))
            guard limit < now else { return false }
            timedOut.append((run, limit))
            return true
        }
        for (_, at) in timedOut {
            lastTimeoutAt = max(lastTimeoutAt ?? at, at)
            failuresTotal += 1
            timeoutsTotal += 1
        }
        return timedOut
    }
}
