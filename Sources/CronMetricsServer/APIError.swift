import CronMetricsCore
import HTTPTypes

/// An error the API reports to the client as `{"error": "...", "request_id": "..."}`.
public struct APIError: Error, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// The request field at fault (422), also reported as `"field"`.
    public var field: String?
    /// Counted under this outcome on `cronmetrics_result_submissions_total`.
    var outcome: SubmissionOutcome
    /// The job the request named, once its body was read (for the log line).
    var jobID: JobID?
    /// Every problem, when there are several (an invalid tree, a job with many errors).
    var details: [String] = []

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
        self.outcome = SubmissionOutcome(status: status)
    }

    public var description: String { "\(status.code) \(message)" }

    /// The same error, tagged with the job the request named.
    func about(_ id: JobID) -> APIError {
        var copy = self
        copy.jobID = id
        return copy
    }
}

/// How a result submission ended, for `cronmetrics_result_submissions_total{outcome}`.
enum SubmissionOutcome: String, CaseIterable, Sendable {
    case accepted
    case unauthorized
    case forbidden
    case invalid
    case conflict
    case error

    init(status: HTTPResponse.Status) {
        switch status.code {
        case 200..<300: self = .accepted
        case 401: self = .unauthorized
        case 403: self = .forbidden
        case 409: self = .conflict
        case 400..<500: self = .invalid
        default: self = .error
        }
    }
}
