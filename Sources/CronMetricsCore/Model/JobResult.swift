import Foundation

/// One submitted run of a job.
public struct JobResult: Sendable, Hashable {
    /// The row id, once stored.
    public var id: Int64?
    public var jobID: JobID
    /// When the server received it: the server's clock decides deadlines.
    public var receivedAt: Date
    /// The run's own time as the client gave it (defaults to `receivedAt`).
    public var runAt: Date
    public var status: RunStatus
    public var duration: Double?
    public var exitCode: Int?
    public var output: String?
    /// Labels sent with the result: stored, never turned into series.
    public var labels: [String: String]?
    /// The client's run id (`run_id`, `?rid=`): which open run this closes.
    public var runID: String?
    /// The row of the run this result closed, once stored.
    public var closedRun: Int64?
    /// The job has open runs (the writer says so), so a result without a run
    /// id closes the oldest: worth a look in `runs` only then.
    public var openRunExpected = false
    /// The job exports `cronjob_duration_seconds` (the writer says so): its
    /// duration goes into the job's histogram as well.
    public var countsDuration = false
    /// Set by the store: this result closed a run that had timed out, which
    /// the rollups counted then (its state still changes; no second run is counted).
    var closesTimedOutRun = false
    /// Set by the store: the same job and run id already had a closing
    /// result (`id` is that one's); nothing new was stored.
    public var isRepeat = false
    /// Set by the store: the version of the job's state once this result
    /// was folded in (nil for a `log`, which changes no state).
    public var stateVersion: Int64?

    /// A success or failure: it ends a run (a `log` does not).
    public var isClosing: Bool { status != .log }

    public init(
        id: Int64? = nil, jobID: JobID, receivedAt: Date, runAt: Date? = nil, status: RunStatus,
        duration: Double? = nil, exitCode: Int? = nil, output: String? = nil, labels: [String: String]? = nil,
        runID: String? = nil
    ) {
        self.id = id
        self.jobID = jobID
        self.receivedAt = receivedAt
        self.runAt = runAt ?? receivedAt
        self.status = status
        self.duration = duration
        self.exitCode = exitCode
        self.output = output
        self.labels = labels
        self.runID = runID
    }
}
