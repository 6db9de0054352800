import Foundation

/// One job as the live state holds it at an instant.
public struct JobSnapshot: Sendable {
    public var job: Job
    public var firstSeen: Date
    public var state: JobState
    /// Nil for a retired job.
    public var verdict: Verdict?

    public init(job: Job, firstSeen: Date, state: JobState, verdict: Verdict?) {
        self.job = job
        self.firstSeen = firstSeen
        self.state = state
        self.verdict = verdict
    }
}
