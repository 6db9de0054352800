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

/// The outbox in a database this process opened (the server's own, or the
/// CLI's on the server's file: SQLite in WAL mode lets both write; a running
/// dispatcher picks requeued rows up at its next poll).
public struct LocalNotificationOutbox: NotificationOutbox {
    public typealias Sender = @Sendable (ChannelDefinition, NotificationSettings) async -> NotificationTestResult
    let database: AppDatabase
    let settings: @Sendable () -> NotificationSettings
    let send: Sender
    /// The clock requeued rows are due by (the server's, where it runs there).
    public let now: @Sendable () -> Date

    public init(database: AppDatabase, settings: @escaping @Sendable () -> NotificationSettings, now: @escaping @Sendable () -> Date = Date.init,
                send: @escaping Sender) {
        self.database = database
        self.settings = settings
        self.send = send
        self.now = now
    }

    public func list(_ filter: NotificationFilter, limit: Int, before: Int64?) async throws(NotificationActionError) -> NotificationPage {
        try store { () throws(StoreError) in try database.notifications(filter, limit: limit, before: before) }
    }

    public func show(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        guard let record = try store({ () throws(StoreError) in try database.notification(id: id) }) else {
            throw .notFound("no notification \(id)")
        }
        return record
    }

    public func requeue(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        let result: AppDatabase.RequeueResult
        do {
            result = try await database.requeueNotification(id: id, now: now())
        } catch {
            throw .unavailable("\(error)")
        }
        switch result {
        case let .requeued(record): return record
        case .notFound: throw .notFound("no notification \(id)")
        case let .notDead(state): throw .conflict("notification \(id) is \(state); only dead letters are requeued")
        }
    }

    public func requeue(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int {
        do {
            return try await database.requeueNotifications(filter, now: now())
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func delete(id: Int64) async throws(NotificationActionError) {
        let record = try await show(id: id)
        guard record.state == "dead" else {
            throw .conflict("notification \(id) is \(record.state); only dead letters are deleted (retention removes delivered ones)")
        }
        do {
            _ = try await database.deleteDeadNotifications(id: id)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func delete(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int {
        do {
            return try await database.deleteDeadNotifications(filter)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func test(channel name: String) async throws(NotificationActionError) -> NotificationTestResult {
        let current = settings()
        guard let channel = current.channels[name] else {
            let known = current.channels.keys.sorted()
            throw .notFound("no channel '\(name)'; configured: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        return await send(channel, current)
    }

    private func store<T>(_ body: () throws(StoreError) -> T) throws(NotificationActionError) -> T {
        do {
            return try body()
        } catch {
            throw .unavailable("\(error)")
        }
    }
}
