import Foundation

/// The receipt of `POST /api/job-start`: the run it opened.
public struct StartRecord: Codable, Sendable, Hashable {
    public var jobId: String
    /// The client's run id, when it sent one.
    public var runId: String?
    public var startedAt: Date
    public var requestId: String

    public init(jobId: String, runId: String?, startedAt: Date, requestId: String) {
        self.jobId = jobId
        self.runId = runId
        self.startedAt = startedAt
        self.requestId = requestId
    }
}
