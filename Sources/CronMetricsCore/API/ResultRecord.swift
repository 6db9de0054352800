import Foundation

/// One stored result as the API shows it.
public struct ResultRecord: Codable, Sendable {
    public var id: Int64?
    public var jobName: String
    public var host: String
    public var status: String
    public var receivedAt: Date
    /// The run's own time, as the client gave it.
    public var timestamp: Date
    public var duration: Double?
    public var exitCode: Int?
    public var output: String?
    public var labels: [String: String]?
    /// The client's run id, when it sent one.
    public var runId: String?

    public init(_ result: JobResult) {
        id = result.id
        jobName = result.jobID.jobName
        host = result.jobID.host
        status = result.status.rawValue
        receivedAt = result.receivedAt
        timestamp = result.runAt
        duration = result.duration
        exitCode = result.exitCode
        output = result.output
        labels = result.labels
        runId = result.runID
    }
}

/// A page of a job's history, newest first.
public struct HistoryPage: Codable, Sendable {
    public var results: [ResultRecord]
    /// Pass as `before` for the next page; nil on the last one.
    public var nextBefore: Int64?

    public init(results: [ResultRecord], nextBefore: Int64?) {
        self.results = results
        self.nextBefore = nextBefore
    }
}
