import HTTPTypes

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
