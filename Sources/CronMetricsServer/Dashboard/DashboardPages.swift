import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// Pages as responses: a view model rendered into its template and framed by
/// the layout (title, navigation, the signed-in session's sign-out form),
/// redirects, and the one-sentence message pages.
struct DashboardPages: Sendable {
    let views: DashboardViews
    let title: String
    let signer: SessionSigner
    let leadership: Leadership

    /// How the frame around a page looks.
    struct Frame: Sendable {
        var title: String
        var nav: LayoutModel.Nav?
        var live = false
        var refresh: Int?
    }

    func page<Model: DashboardPageModel>(_ model: Model, frame: Frame, session: DashboardSession?, status: HTTPResponse.Status = .ok,
                                         extraHeaders: HTTPFields = [:]) -> Response {
        let layout = LayoutModel(
            title: title, page: frame.title, signedIn: session != nil, csrf: session.map(signer.csrfToken),
            role: session.map { $0.isAdmin ? "admin" : "read-only" }, navOverview: frame.nav == .overview,
            navTeams: frame.nav == .teams, navNotifications: frame.nav == .notifications, live: frame.live, refresh: frame.refresh,
            content: views.render(Model.template, model), replica: leadership.replicaName, leader: leadership.leaderName)
        var headers = DashboardViews.headers()
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: views.render(.layout, layout))))
    }

    func message(_ session: DashboardSession?, status: HTTPResponse.Status, _ heading: String, _ text: String, back: String) -> Response {
        page(MessageModel(heading: heading, text: text, back: back), frame: Frame(title: heading), session: session, status: status)
    }

    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = DashboardViews.headers()
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// To the sign-in page, coming back here afterwards.
    func toSignIn(_ request: Request) -> Response {
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return redirect("/dashboard/signin?" + DashboardQuery.encode([("next", next)]))
    }

    static let csrfText = "The form did not come from this page of the dashboard, or it expired. Reload the page and try again."
    static let readOnlyText = "A read-only key may look, not change: sign in with an admin key."
}
