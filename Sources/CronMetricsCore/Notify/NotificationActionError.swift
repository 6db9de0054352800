import Foundation

/// Why an action on the outbox was refused, alike for the local database and
/// a server's API (the API answers with the status each case names).
public enum NotificationActionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 404: no such notification or channel.
    case notFound(String)
    /// 409: the row is not a dead letter.
    case conflict(String)
    /// 422: a query value is wrong; names the field.
    case invalid(field: String, message: String)
    /// 401/403 from a server.
    case refused(String)
    /// The database or the server could not be reached.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .notFound(message), let .conflict(message), let .refused(message), let .unavailable(message): message
        case let .invalid(_, message): message
        }
    }
}
