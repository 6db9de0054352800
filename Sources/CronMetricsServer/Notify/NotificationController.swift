import CronMetricsCore
import Foundation
import Hummingbird

/// The admin notification API: the outbox listed, dead letters requeued or
/// deleted, and a test message sent through a channel now.
struct NotificationController {
    let database: AppDatabase
    let settings: RuntimeSettings
    let senders: NotificationSenders
    let now: @Sendable () -> Date

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.get("/api/notifications") { request, _ in try list(request) }
        admin.get("/api/notifications/{id}") { _, context in try show(context) }
        admin.post("/api/notifications/{id}/requeue") { _, context in try await requeue(context) }
        admin.post("/api/notifications/requeue") { request, _ in try await requeueAll(request) }
        admin.delete("/api/notifications/{id}") { _, context in try await delete(context) }
        admin.delete("/api/notifications") { request, _ in try await deleteAll(request) }
        admin.post("/api/notifications/test") { request, context in try await test(request, context: context) }
    }

    func list(_ request: Request) throws -> NotificationPage {
        let page = try PageQuery(request, item: "notification")
        return try database.notifications(try filter(request), limit: page.limit, before: page.before)
    }

    func show(_ context: AppRequestContext) throws -> NotificationRecord {
        let id = try Self.id(context)
        guard let record = try database.notification(id: id) else { throw APIError(.notFound, "no notification \(id)") }
        return record
    }

    func requeue(_ context: AppRequestContext) async throws -> NotificationRecord {
        let id = try Self.id(context)
        switch try await database.requeueNotification(id: id, now: now()) {
        case let .requeued(record):
            context.logger.info("notification requeued", metadata: ["id": "\(id)", "channel": .string(record.channel)])
            return record
        case .notFound: throw APIError(.notFound, "no notification \(id)")
        case let .notDead(state): throw APIError(.conflict, "notification \(id) is \(state); only dead letters are requeued")
        }
    }

    /// Every dead letter the filter takes (`channel`, `job`).
    func requeueAll(_ request: Request) async throws -> NotificationCount {
        NotificationCount(count: try await database.requeueNotifications(try filter(request, deadOnly: true), now: now()))
    }

    func delete(_ context: AppRequestContext) async throws -> Response {
        let id = try Self.id(context)
        guard let record = try database.notification(id: id) else { throw APIError(.notFound, "no notification \(id)") }
        guard record.state == "dead" else {
            throw APIError(.conflict, "notification \(id) is \(record.state); only dead letters are deleted (retention removes delivered ones)")
        }
        _ = try await database.deleteDeadNotifications(id: id)
        return Response(status: .noContent)
    }

    func deleteAll(_ request: Request) async throws -> NotificationCount {
        NotificationCount(count: try await database.deleteDeadNotifications(try filter(request, deadOnly: true)))
    }

    /// Sends a test event through the channel now and answers how it went:
    /// 200 when delivered, 502 with the receiver's answer when not.
    func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let name = request.uri.queryParameters["channel"].map(String.init) else {
            throw APIError(.unprocessableContent, "'channel' is required: the name of a channel under notifications.channels", field: "channel")
        }
        let current = settings.notifications
        guard let channel = current.channels[name] else {
            throw APIError(.notFound, "no channel '\(name)'; configured: \(current.channels.keys.sorted().joined(separator: ", "))")
        }
        let result = await NotificationTest.run(channel, senders: senders, settings: current, now: now())
        context.logger.info("test notification", metadata: ["channel": .string(name), "outcome": .string(result.outcome)])
        var response = try context.responseEncoder.encode(result, from: request, context: context)
        if result.outcome != "delivered" { response.status = .badGateway }
        return response
    }

    private func filter(_ request: Request, deadOnly: Bool = false) throws(APIError) -> NotificationFilter {
        let query = request.uri.queryParameters
        var filter = NotificationFilter(channel: query["channel"].map(String.init), job: query["job"].map(String.init))
        if let text = query["state"] {
            guard let state = NotificationFilter.State(rawValue: String(text)), !deadOnly || state == .dead else {
                let allowed = deadOnly ? "dead" : NotificationFilter.State.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.unprocessableContent, "'state' must be \(allowed)", field: "state")
            }
            filter.state = state
        }
        return filter
    }

    private static func id(_ context: AppRequestContext) throws(APIError) -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, "no such notification")
        }
        return id
    }
}

/// A test event through one channel, timed: what the API and `notify test` share.
enum NotificationTest {
    static func run(_ channel: ChannelDefinition, senders: NotificationSenders, settings: NotificationSettings, now: Date) async -> NotificationTestResult {
        let event = NotificationEvent.test(at: now)
        let start = ContinuousClock.now
        let outcome = await senders.send(event, payload: (try? event.json()) ?? "{}", via: channel, timeout: settings.timeout)
        let elapsed = ContinuousClock.now - start
        return NotificationTestResult(channel: channel.name, outcome: outcome,
                                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
