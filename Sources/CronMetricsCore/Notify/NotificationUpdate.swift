import Foundation

/// What the dispatcher writes back after a try.
public enum NotificationUpdate: Sendable, Hashable {
    case delivered(at: Date, status: Int?)
    case retry(at: Date, next: Date, status: Int?, error: String)
    case dead(at: Date, status: Int?, error: String)
}
