import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// Signing in and out of the dashboard.
struct DashboardSignInController {
    let sessions: DashboardSessions
    let pages: DashboardPages

    /// The sign-in form's fields.
    struct Form: Decodable {
        var csrf: String?
        var key: String?
        var next: String?
    }

    struct Query: Decodable {
        var next: String?
    }

    /// - Parameters:
    ///   - router: the open routes (the sign-in form).
    ///   - signedIn: the routes behind ``DashboardAuthMiddleware`` (sign-out).
    func addRoutes(to router: Router<AppRequestContext>, signedIn: RouterGroup<AppRequestContext>) {
        router.get("/dashboard/signin") { request, _ in await signInPage(request) }
        router.post("/dashboard/signin") { request, context in try await signIn(request, context: context) }
        signedIn.post(RouterPath(DashboardAuthMiddleware.signOutPath)) { _, context in await signOut(context) }
    }

    func signInPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok, next: String? = nil) async -> Response {
        if error == nil, await sessions.current(request) != nil { return pages.redirect("/dashboard") }
        let nonce = SessionSigner.randomHex(16)
        let target = next ?? (try? URLEncodedFormDecoder().decode(Query.self, from: request.uri.query ?? ""))?.next ?? "/dashboard"
        let model = SignInModel(csrf: sessions.signer.signInToken(nonce: nonce), next: Self.safeNext(target), error: error,
                                noKeys: sessions.keys().isEmpty)
        return pages.page(model, frame: .init(title: "Sign in"), session: nil, status: status,
                          extraHeaders: [.setCookie: sessions.signer.signInCookie(nonce)])
    }

    /// Only a path of this dashboard: never another site (`//evil`, `https:`).
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/dashboard"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\n") else { return "/dashboard" }
        return next
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let address = sessions.client(request, context: context)
        // The attempt counts before the key is read: attempts sent together
        // cannot all pass a check made before any of them failed.
        if let wait = await sessions.takeAttempt(address) {
            context.logger.warning("dashboard sign-in refused: too many wrong keys", metadata: ["client": .string(address)])
            var response = pages.message(nil, status: .tooManyRequests, "Too many attempts",
                                         "Too many wrong keys from this address. Try again in \(wait) seconds.", back: "/dashboard/signin")
            response.headers[.retryAfter] = String(wait)
            return response
        }
        var request = request
        let body = try await request.collectBody(upTo: DashboardAuthMiddleware.formLimit)
        let form = (try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))) ?? Form()
        let next = Self.safeNext(form.next ?? "/dashboard")
        guard sessions.signer.checkSignIn(form.csrf, request: request) else {
            await sessions.giveBack(address)  // no key was tried
            return await signInPage(request, error: "The form expired. Enter the key again.", status: .forbidden, next: next)
        }
        switch await sessions.signIn(key: (form.key ?? "").trimmingCharacters(in: .whitespaces), address: address) {
        case .wrongKey:
            context.logger.warning("dashboard sign-in refused: unknown key", metadata: ["client": .string(address)])
            return await signInPage(request, error: "That key is not an admin or read-only key.", status: .unauthorized, next: next)
        case let .signedIn(access, cookie):
            context.logger.info("dashboard sign-in", metadata: ["client": .string(address), "access": .string(access == .admin ? "admin" : "read")])
            return pages.redirect(next, cookies: [sessions.signer.sessionCookie(cookie), sessions.signer.clearedSignInCookie()])
        }
    }

    /// Ends the session on every copy of its cookie (the middleware checked
    /// the form's token).
    func signOut(_ context: AppRequestContext) async -> Response {
        if let session = context.dashboardSession { await sessions.signOut(session) }
        return pages.redirect("/dashboard/signin", cookies: [sessions.signer.clearedSessionCookie()])
    }
}
