import Foundation

/// The notification outbox as the admin sees it: list, requeue, delete dead
/// letters, and send a test message. One contract for the API, the CLI on a
/// local database, and the CLI through `--server`.
public protocol NotificationOutbox: Sendable {
    func list(_ filter: NotificationFilter, limit: Int, before: Int64?) async throws(NotificationActionError) -> NotificationPage
    func show(id: Int64) async throws(NotificationActionError) -> NotificationRecord
    /// One dead letter back in the queue, due now, attempts from zero.
    func requeue(id: Int64) async throws(NotificationActionError) -> NotificationRecord
    /// Every dead letter the filter takes (its state is always dead).
    func requeue(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int
    func delete(id: Int64) async throws(NotificationActionError)
    func delete(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int
    /// Sends a test event through `channel` now.
    func test(channel: String) async throws(NotificationActionError) -> NotificationTestResult
}
