import CronMetricsCore
import Hummingbird
import NIOCore

extension APIError {
    /// Every error a route can throw, as the client sees it: the one place
    /// where domain errors get HTTP statuses, one status per meaning (the
    /// table in docs/api.md): not found 404, a conflict with what is there
    /// 409, an invalid field or job 422, a refusal of the caller 403, the
    /// store or the disk unavailable 503. Never a 500 for bad input.
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as JobEditError:
            self.init(editError: error)
        case let error as NotificationActionError:
            self.init(outboxError: error)
        case let error as StoreError:
            self.init(.serviceUnavailable, "the database is unavailable: \(error); retry")
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, "request body is too large")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: self.init(.contentTooLarge, "request body is too large")
            case .notFound: self.init(.notFound, "no such route")
            case .methodNotAllowed: self.init(.methodNotAllowed, "method not allowed on this route")
            default: self.init(error.status, error.body ?? error.status.reasonPhrase)
            }
        default:
            self.init(.internalServerError, "internal error")
        }
    }

    private init(editError: JobEditError) {
        switch editError {
        case let .notFound(id):
            self.init(.notFound, "no job \(id)")
        case let .conflict(message):
            self.init(.conflict, message)
        case let .invalidJob(diagnostics):
            let first = diagnostics.first
            self.init(.unprocessableContent, first?.message ?? "invalid job", field: first?.field)
            details = diagnostics.map(\.message)
        case let .invalidField(field, message):
            self.init(.unprocessableContent, message, field: field)
        case let .invalidTree(errors):
            self.init(.unprocessableContent, "the change would make jobs.d invalid; nothing was written")
            details = errors
        case let .unavailable(message):
            self.init(.serviceUnavailable, message)
        case let .refused(message):
            self.init(.forbidden, message)
        }
    }

    private init(outboxError: NotificationActionError) {
        switch outboxError {
        case let .notFound(message): self.init(.notFound, message)
        case let .conflict(message): self.init(.conflict, message)
        case let .invalid(field, message): self.init(.unprocessableContent, message, field: field)
        case let .refused(message): self.init(.forbidden, message)
        case let .unavailable(message): self.init(.serviceUnavailable, message)
        }
    }
}
