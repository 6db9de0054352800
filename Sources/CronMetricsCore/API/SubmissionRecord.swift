import Foundation

/// The receipt of `POST /api/job-result`: `{"id", "job_id", "received_at",
/// "request_id", "status"}`, 201 for a new result; 200 with the first
/// result's id and time for a repeat of a run's result.
public struct SubmissionRecord: Codable, Sendable, Hashable {
    /// The stored result's id (the `before` cursor of its job's history).
    public var id: Int64
    public var jobId: String
    /// The stored status, `success` or `failure`.
    public var status: String
    public var receivedAt: Date
    public var requestId: String

    public init(id: Int64, jobId: String, status: String, receivedAt: Date, requestId: String) {
        self.id = id
        self.jobId = jobId
        self.status = status
        self.receivedAt = receivedAt
        self.requestId = requestId
    }
}
