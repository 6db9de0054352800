import Foundation

/// The outbox in a database this process opened (the server's own, or the
/// CLI's on the server's store: SQLite in WAL mode and PostgreSQL both let
/// two processes write; a running dispatcher picks requeued rows up at its
/// next poll).
public struct LocalNotificationOutbox: NotificationOutbox {
    public typealias Sender = @Sendable (ChannelDefinition, NotificationSettings) async -> NotificationTestResult
    let database: StateStore
    let settings: @Sendable () -> NotificationSettings
    let send: Sender
    /// The clock requeued rows are due by (the server's, where it runs there).
    public let now: @Sendable () -> Date
    /// Who acts: each requeue or delete that takes rows writes an audit row.
    public var audit: AuditContext?

    public init(database: StateStore, settings: @escaping @Sendable () -> NotificationSettings, now: @escaping @Sendable () -> Date = Date.init,
                send: @escaping Sender) {
        self.database = database
        self.settings = settings
        self.send = send
        self.now = now
    }

    /// This outbox, acting as `audit`.
    public func auditing(_ audit: AuditContext) -> LocalNotificationOutbox {
        var copy = self
        copy.audit = audit
        return copy
    }

    public func list(_ filter: NotificationFilter, limit: Int, before: Int64?) async throws(NotificationActionError) -> NotificationPage {
        do {
            return try await database.notifications(filter, limit: limit, before: before)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func show(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        let found: NotificationRecord?
        do {
            found = try await database.notification(id: id)
        } catch {
            throw .unavailable("\(error)")
        }
        guard let record = found else { throw .notFound("no notification \(id)") }
        return record
    }

    public func requeue(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        let result: StateStore.RequeueResult
        do {
            result = try await database.requeueNotification(id: id, now: now(), audit: audit)
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
            return try await database.requeueNotifications(filter, now: now(), audit: audit)
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
            _ = try await database.deleteDeadNotifications(id: id, audit: audit, now: now())
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func delete(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int {
        do {
            return try await database.deleteDeadNotifications(filter, audit: audit, now: now())
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
}
