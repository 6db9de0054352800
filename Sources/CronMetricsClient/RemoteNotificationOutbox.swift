import CronMetricsCore
import Foundation

/// The outbox of a running server, through its admin API.
public struct RemoteNotificationOutbox: NotificationOutbox {
    let client: APIClient

    public init(client: APIClient) {
        self.client = client
    }

    public func list(_ filter: NotificationFilter, limit: Int, before: Int64?) async throws(NotificationActionError) -> NotificationPage {
        var query = Self.items(filter)
        query.append(("limit", "\(limit)"))
        if let before { query.append(("before", "\(before)")) }
        return try await call { try await client.send(.GET, "/api/notifications" + APIClient.query(query), as: NotificationPage.self) }
    }

    public func show(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        try await call { try await client.send(.GET, "/api/notifications/\(id)", as: NotificationRecord.self) }
    }

    public func requeue(id: Int64) async throws(NotificationActionError) -> NotificationRecord {
        try await call { try await client.send(.POST, "/api/notifications/\(id)/requeue", as: NotificationRecord.self) }
    }

    public func requeue(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int {
        try await call {
            try await client.send(.POST, "/api/notifications/requeue" + APIClient.query(Self.items(filter)), as: NotificationCount.self).count
        }
    }

    public func delete(id: Int64) async throws(NotificationActionError) {
        _ = try await call { try await client.send(.DELETE, "/api/notifications/\(id)", as: APIClient.Empty.self) }
    }

    public func delete(_ filter: NotificationFilter) async throws(NotificationActionError) -> Int {
        try await call { try await client.send(.DELETE, "/api/notifications" + APIClient.query(Self.items(filter)), as: NotificationCount.self).count }
    }

    public func test(channel: String) async throws(NotificationActionError) -> NotificationTestResult {
        do {
            return try await client.send(.POST, "/api/notifications/test" + APIClient.query([("channel", channel)]), as: NotificationTestResult.self)
        } catch let failure as APIClient.Failure where failure.status == 502 {
            // Not delivered: the body is the result, as from a local test.
            guard let result = try? APICoding.decoder.decode(NotificationTestResult.self, from: failure.data) else { throw .unavailable("HTTP 502 without a result") }
            return result
        } catch {
            throw Self.map(error)
        }
    }

    static func items(_ filter: NotificationFilter) -> [(String, String)] {
        var items: [(String, String)] = []
        if let state = filter.state { items.append(("state", state.rawValue)) }
        if let channel = filter.channel { items.append(("channel", channel)) }
        if let job = filter.job { items.append(("job", job)) }
        return items
    }

    private func call<T>(_ body: () async throws -> T) async throws(NotificationActionError) -> T {
        do {
            return try await body()
        } catch {
            throw Self.map(error)
        }
    }

    static func map(_ error: any Error) -> NotificationActionError {
        if let error = error as? NotificationActionError { return error }
        if let error = error as? JobEditError { return .unavailable("\(error)") }
        guard let failure = error as? APIClient.Failure else { return .unavailable("unexpected answer: \(error)") }
        let message = failure.body?.error ?? "HTTP \(failure.status)"
        switch failure.status {
        case 401, 403: return .refused(message)
        case 404: return .notFound(message)
        case 409: return .conflict(message)
        case 422: return .invalid(field: failure.body?.field ?? "query", message: message)
        default: return .unavailable(message)
        }
    }
}
