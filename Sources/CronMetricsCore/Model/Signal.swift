import Foundation

/// What a cron host sends: a run's start, or its result (a `log` result is
/// output only).
public enum Signal: Sendable {
    case start(jobID: JobID, runID: String?, at: Date)
    case result(JobResult)

    /// The job it is for.
    public var jobID: JobID {
        switch self {
        case let .start(jobID, _, _): jobID
        case let .result(result): result.jobID
        }
    }
}

/// A signal as stored: the open run a start made (and the version of the
/// job's state it wrote), or the result with its row id, the run it closed,
/// the duration computed from that run and its state version.
public enum StoredSignal: Sendable {
    case start(JobID, OpenRun, version: Int64)
    case result(JobResult)
}
