import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// Queued and dead notifications, and requeueing dead letters: through the
/// same outbox as the API and the CLI (``LocalNotificationOutbox``).
struct DashboardNotificationsController {
    let outbox: LocalNotificationOutbox
    let pages: DashboardPages

    struct Query: Decodable {
        var requeued: String?
    }

    func addRoutes(to signedIn: RouterGroup<AppRequestContext>) {
        signedIn.get("/dashboard/notifications") { request, context in
            let requeued = (try? URLEncodedFormDecoder().decode(Query.self, from: request.uri.query ?? ""))?.requeued
            return try await page(context, changed: requeued.map { "Requeued \(Int($0) ?? 0) message(s); the dispatcher sends them now." })
        }
        signedIn.post("/dashboard/notifications/requeue") { _, context in try await requeue(nil, context: context) }
        signedIn.post("/dashboard/notifications/{nid}/requeue") { _, context in
            try await requeue(context.parameters.get("nid").flatMap { Int64($0) } ?? -1, context: context)
        }
    }

    func page(_ context: AppRequestContext, changed: String? = nil, error: String? = nil) async throws -> Response {
        let session = context.dashboardSession
        let pending: [NotificationRecord], dead: [NotificationRecord]
        do {
            pending = try await outbox.list(NotificationFilter(state: .pending), limit: 200, before: nil).notifications
            dead = try await outbox.list(NotificationFilter(state: .dead), limit: 200, before: nil).notifications
        } catch {
            return unavailable(session, error)
        }
        var model = NotificationsModel(pending: pending, dead: dead, now: outbox.now(), admin: session?.isAdmin == true,
                                       csrf: session.map(pages.signer.csrfToken))
        model.changed = changed
        model.error = error
        return pages.page(model, frame: .init(title: "Notifications", nav: .notifications, refresh: 30), session: session)
    }

    /// The store could not answer: a page that says so, with the status the
    /// API would answer (``APIError``), never a JSON body in a browser.
    func unavailable(_ session: DashboardSession?, _ error: NotificationActionError) -> Response {
        pages.message(session, status: APIError(error).status, "Not available", "The notification store cannot answer now: \(error). Try again.",
                      back: "/dashboard/notifications")
    }

    /// One dead letter (`id`) or every one back in the queue.
    func requeue(_ id: Int64?, context: AppRequestContext) async throws -> Response {
        var count = 1
        do {
            let outbox = outbox.auditing(context.audit(id == nil ? "dashboard requeue" : "dashboard requeue {id}"))
            if let id {
                _ = try await outbox.requeue(id: id)
            } else {
                count = try await outbox.requeue(NotificationFilter(state: .dead))
            }
        } catch {
            let text: String
            switch error {
            case .notFound: text = "There is no notification \(id ?? 0)."
            case let .conflict(message): text = message.prefix(1).uppercased() + message.dropFirst() + "."
            default: return unavailable(context.dashboardSession, error)
            }
            return try await page(context, error: text)
        }
        context.logger.info("notifications requeued from the dashboard", metadata: ["count": "\(count)"])
        return pages.redirect("/dashboard/notifications?requeued=\(count)")
    }
}
