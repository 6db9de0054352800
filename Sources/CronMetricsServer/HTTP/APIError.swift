import CronMetricsCore
import HTTPTypes
import Hummingbird

/// An error the API reports to the client as `{"error": "...", "request_id": "..."}`,
/// with `field` naming the request field at fault (422) and `errors` listing
/// every problem when there are several. Domain errors become one of these
/// in one place (``init(_:)``).
public struct APIError: HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// The request field at fault (422), also reported as `"field"`.
    public var field: String?
    /// Every problem, when there are several (an invalid tree, a job with many errors).
    var details: [String] = []
    /// The job the request named, once its body was read (for the log line).
    var jobID: JobID?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    public var description: String { "\(status.code) \(message)" }

    /// How a submission with this error is counted.
    var outcome: SubmissionOutcome { SubmissionOutcome(status: status) }

    /// The same error, tagged with the job the request named.
    func about(_ id: JobID) -> APIError {
        var copy = self
        copy.jobID = id
        return copy
    }

    /// The JSON error body, with the request's id.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? AppRequestContext)?.requestID ?? ""
        let body = ErrorBody(error: message, field: field, errors: details.isEmpty ? nil : details, requestId: requestID)
        var response = try context.responseEncoder.encode(body, from: request, context: context)
        response.status = status
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = "Bearer"
        }
        return response
    }
}

extension Error {
    /// This error as the client sees it, tagged with the job the request named.
    func about(_ id: JobID) -> APIError {
        APIError(self).about(id)
    }
}
