import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/dashboard/events`: the live updates of a signed-in page (Server-Sent
/// Events from ``DashboardFeed``), within the feed's caps, each stream
/// ending with its session.
struct DashboardEventsController {
    static let path = "/dashboard/events"
    let feed: DashboardFeed
    let sessions: DashboardSessions

    struct Query: Decodable {
        var jobs: String?
    }

    func addRoutes(to signedIn: RouterGroup<AppRequestContext>) {
        signedIn.get(RouterPath(Self.path)) { request, context in events(request, context: context) }
    }

    /// A short text answer; a refusal closes its connection, so the place
    /// goes back to submissions, pings and scrapes at once.
    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = DashboardViews.headers("text/plain; charset=utf-8")
        if status != .ok { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    func events(_ request: Request, context: AppRequestContext) -> Response {
        guard let session = context.dashboardSession else { return Self.plain(.unauthorized, "sign in at /dashboard/signin") }
        // The jobs the page shows (`?jobs=a@h,b@h`); none named: every job.
        let named = (try? URLEncodedFormDecoder().decode(Query.self, from: request.uri.query ?? ""))?.jobs.map {
            Set($0.split(separator: ",").prefix(DashboardFeed.maxJobs).map(String.init))
        }
        let sessions = sessions
        switch feed.subscribe(jobs: named, session: session.nonce, valid: { sessions.holds(session) }) {
        case let .stream(stream, id):
            var headers = DashboardViews.headers("text/event-stream; charset=utf-8")
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: feed.responseBody(stream, id: id))
        case .sessionFull:
            context.logger.warning("dashboard stream refused: the session's streams are all open", metadata: ["limit": "\(feed.limits.perSession)"])
            var response = Self.plain(.tooManyRequests, "this session has \(feed.limits.perSession) live streams open; close a dashboard tab")
            response.headers[.retryAfter] = "10"
            return response
        case .serverFull:
            context.logger.warning("dashboard stream refused: the server's streams are all open", metadata: ["limit": "\(feed.limits.total)"])
            var response = Self.plain(.serviceUnavailable, "the server has \(feed.limits.total) live streams open; the page refreshes every 30 s instead")
            response.headers[.retryAfter] = "30"
            return response
        case .closed:
            return Self.plain(.serviceUnavailable, "the server is shutting down")
        }
    }
}
