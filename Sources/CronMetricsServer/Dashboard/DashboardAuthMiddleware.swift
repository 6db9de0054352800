import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// Guards the dashboard's pages: the session from the cookie goes on the
/// request's context (``AppRequestContext/dashboardSession``), or the browser
/// goes to sign in. Every POST carries the session's CSRF token, checked here
/// once for all forms; every POST but sign-out changes something and needs an
/// admin session. Handlers behind it only read the session.
struct DashboardAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: DashboardSessions
    let pages: DashboardPages

    /// Forms are small: a token and a few fields.
    static let formLimit = 16 << 10
    static let signOutPath = "/dashboard/signout"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = await sessions.current(request) else {
            switch request.uri.path {
            case Self.signOutPath: return pages.redirect("/dashboard/signin", cookies: [sessions.signer.clearedSessionCookie()])
            case DashboardEventsController.path: return DashboardEventsController.plain(.unauthorized, "sign in at /dashboard/signin")
            default: return pages.toSignIn(request)
            }
        }
        var request = request
        var context = context
        context.dashboardSession = session
        context.keyHolder = (sessions.keys().name(ofHash: session.keyHash), session.isAdmin ? "admin" : "read")
        guard request.method == .post else { return try await next(request, context) }
        let body = try await request.collectBody(upTo: Self.formLimit)
        let form = try? URLEncodedFormDecoder().decode(DashboardCSRFForm.self, from: String(buffer: body))
        guard sessions.checkCSRF(form?.csrf, session: session) else {
            let heading = request.uri.path == Self.signOutPath ? "Not signed out" : "Not changed"
            return pages.message(session, status: .forbidden, heading, DashboardPages.csrfText, back: "/dashboard")
        }
        guard request.uri.path == Self.signOutPath || session.isAdmin else {
            return pages.message(session, status: .forbidden, "Not changed", DashboardPages.readOnlyText, back: "/dashboard")
        }
        // The handler decodes its own fields from the same body.
        request.body = .init(buffer: body)
        return try await next(request, context)
    }
}

/// The token every dashboard form carries.
struct DashboardCSRFForm: Decodable {
    var csrf: String?
}
