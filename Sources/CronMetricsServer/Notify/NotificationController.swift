import CronMetricsCore
import Foundation
import Hummingbird

/// The admin notification API: the outbox listed, dead letters requeued or
/// deleted, and a test message sent through a channel now. The work is
/// ``LocalNotificationOutbox``'s, the same the CLI does on a local database;
/// its refusals get their statuses where every error does (``APIError``).
struct NotificationController {
    let outbox: LocalNotificationOutbox

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.get("/api/notifications") { request, _ in try await list(request) }
        admin.get("/api/notifications/{id}") { _, context in
            let id = try Self.id(context)
            return try await outbox.show(id: id)
        }
        admin.post("/api/notifications/{id}/requeue") { _, context in try await requeue(context) }
        admin.post("/api/notifications/requeue") { request, context in
            let filter = try filter(request, deadOnly: true)
            return NotificationCount(count: try await outbox.auditing(context.audit("POST /api/notifications/requeue")).requeue(filter))
        }
        admin.delete("/api/notifications/{id}") { _, context in
            let id = try Self.id(context)
            try await outbox.auditing(context.audit("DELETE /api/notifications/{id}")).delete(id: id)
            return Response(status: .noContent)
        }
        admin.delete("/api/notifications") { request, context in
            let filter = try filter(request, deadOnly: true)
            return NotificationCount(count: try await outbox.auditing(context.audit("DELETE /api/notifications")).delete(filter))
        }
        admin.post("/api/notifications/test") { request, context in try await test(request, context: context) }
    }

    func list(_ request: Request) async throws -> NotificationPage {
        let page = try PageQuery(request, item: "notification")
        let filter = try filter(request)
        return try await outbox.list(filter, limit: page.limit, before: page.before)
    }

    func requeue(_ context: AppRequestContext) async throws -> NotificationRecord {
        let id = try Self.id(context)
        let record = try await outbox.auditing(context.audit("POST /api/notifications/{id}/requeue")).requeue(id: id)
        context.logger.info("notification requeued", metadata: ["id": "\(id)", "channel": .string(record.channel)])
        return record
    }

    /// Sends a test event through the channel now and answers how it went:
    /// 200 when delivered, 502 with the receiver's answer when not.
    func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let name = request.uri.queryParameters["channel"].map(String.init) else {
            throw APIError(.unprocessableContent, "'channel' is required: the name of a channel under notifications.channels", field: "channel")
        }
        let result = try await outbox.test(channel: name)
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
