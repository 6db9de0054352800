import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The dashboard: server-rendered pages under `/dashboard` for people
/// signed in with an admin or read-only key. Reads come from the live state
/// (the same the metrics show) and the database; every change an admin
/// makes goes through the registry's job editor, like the API's, and writes
/// the job file.
struct DashboardController {
    let registry: JobRegistry
    let state: LiveState
    let database: AppDatabase
    let runtime: RuntimeSettings
    let settings: DashboardSettings
    let jobsDirectory: String
    let tls: Bool
    let signer: SessionSigner
    let limiter: SignInLimiter
    let clientAddress: ClientAddress
    let feed: DashboardFeed
    let views: DashboardViews
    let now: @Sendable () -> Date

    static let formLimit = 16 << 10

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/dashboard") { request, context in try await overview(request, context: context) }
        router.get("/dashboard/signin") { request, _ in signInPage(request) }
        router.post("/dashboard/signin") { request, context in try await signIn(request, context: context) }
        router.post("/dashboard/signout") { request, _ in try await signOut(request) }
        router.get("/dashboard/jobs/{id}") { request, context in try await jobPage(request, context: context) }
        router.post("/dashboard/jobs/{id}/{action}") { request, context in try await jobAction(request, context: context) }
        router.get("/dashboard/notifications") { request, _ in try await notificationsPage(request) }
        router.post("/dashboard/notifications/requeue") { request, context in try await requeue(request, context: context, id: nil) }
        router.post("/dashboard/notifications/{nid}/requeue") { request, context in
            try await requeue(request, context: context, id: context.parameters.get("nid").flatMap { Int64($0) } ?? -1)
        }
        router.get("/dashboard/events") { request, context in events(request, context: context) }
        router.get("/dashboard/assets/{name}") { _, context in
            views.asset(context.parameters.get("name") ?? "") ?? message(nil, status: .notFound, "Not found", "No such file.", back: "/dashboard")
        }
    }

    // MARK: Sessions

    func currentSession(_ request: Request) -> DashboardSession? {
        signer.session(request, keys: runtime.keys, now: now())
    }

    /// The layout's context for a page.
    func layout(_ page: String, session: DashboardSession?, nav: String? = nil, live: Bool = false, refresh: Int? = nil) -> [String: Any] {
        var layout: [String: Any] = ["title": settings.title, "page": page]
        if let session {
            layout["signedIn"] = true
            layout["csrf"] = signer.csrfToken(session)
            layout["role"] = session.isAdmin ? "admin" : "read-only"
        }
        if let nav { layout[nav] = true }
        if live { layout["live"] = true }
        if let refresh { layout["refresh"] = refresh }
        return layout
    }

    func toSignIn(_ request: Request) -> Response {
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return redirect("/dashboard/signin?" + DashboardQuery.encode([("next", next)]))
    }

    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = DashboardViews.headers()
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    func message(_ session: DashboardSession?, status: HTTPResponse.Status, _ heading: String, _ text: String, back: String) -> Response {
        views.page("message", ["heading": heading, "text": text, "back": back], layout: layout(heading, session: session), status: status)
    }

    func signInPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok, next: String? = nil) -> Response {
        if error == nil, currentSession(request) != nil { return redirect("/dashboard") }
        let nonce = SessionSigner.randomHex(16)
        let target = next ?? FormFields.parse(request.uri.query ?? "")["next"] ?? "/dashboard"
        var context: [String: Any] = ["csrf": signer.signInToken(nonce: nonce), "next": Self.safeNext(target)]
        if let error { context["error"] = error }
        if runtime.keys.isEmpty { context["noKeys"] = true }
        return views.page("signin", context, layout: layout("Sign in", session: nil), status: status,
                          extraHeaders: [.setCookie: signer.signInCookie(nonce)])
    }

    /// Only a path of this dashboard: never another site (`//evil`, `https:`).
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/dashboard"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\n") else { return "/dashboard" }
        return next
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let address = clientAddress.client(request, peer: context.remoteAddress?.ipAddress)
        let time = now()
        // The attempt counts before the key is read: attempts sent together
        // cannot all pass a check made before any of them failed.
        if let wait = limiter.take(address, now: time) {
            context.logger.warning("dashboard sign-in refused: too many wrong keys", metadata: ["client": .string(address)])
            var response = message(nil, status: .tooManyRequests, "Too many attempts",
                                   "Too many wrong keys from this address. Try again in \(wait) seconds.", back: "/dashboard/signin")
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let form = try await Self.form(request)
        let next = Self.safeNext(form["next"] ?? "/dashboard")
        guard signer.checkSignIn(form["csrf"], request: request) else {
            limiter.giveBack(address, now: time)  // no key was tried
            return signInPage(request, error: "The form expired. Enter the key again.", status: .forbidden, next: next)
        }
        let key = (form["key"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, let access = runtime.keys.access(key) else {
            context.logger.warning("dashboard sign-in refused: unknown key", metadata: ["client": .string(address)])
            return signInPage(request, error: "That key is not an admin or read-only key.", status: .unauthorized, next: next)
        }
        // Its own attempt only: the failures before it stay counted.
        limiter.giveBack(address, now: time)
        context.logger.info("dashboard sign-in", metadata: ["client": .string(address), "access": .string(access == .admin ? "admin" : "read")])
        let cookie = signer.issue(keyHash: APIKeyHash.sha256Hex(of: key), now: time)
        return redirect(next, cookies: [signer.sessionCookie(cookie), signer.clearedSignInCookie()])
    }

    func signOut(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        if let session = currentSession(request) {
            guard signer.checkCSRF(form["csrf"], session: session) else {
                return message(session, status: .forbidden, "Not signed out", Self.csrfText, back: "/dashboard")
            }
            // Every copy of the cookie ends here, not only this browser's.
            signer.signOut(session, now: now())
        }
        return redirect("/dashboard/signin", cookies: [signer.clearedSessionCookie()])
    }

    static let csrfText = "The form did not come from this page of the dashboard, or it expired. Reload the page and try again."

    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: formLimit)
        return FormFields.parse(String(buffer: body))
    }

    /// The session of a form post allowed to change things: signed in, the
    /// form's CSRF token, and (for `admin`) an admin key. Otherwise the answer.
    enum Authorization {
        case success(DashboardSession)
        case failure(Response)
    }

    func authorizePost(_ request: Request, form: [String: String], admin: Bool) -> Authorization {
        guard let session = currentSession(request) else { return .failure(toSignIn(request)) }
        guard signer.checkCSRF(form["csrf"], session: session) else {
            return .failure(message(session, status: .forbidden, "Not changed", Self.csrfText, back: "/dashboard"))
        }
        guard !admin || session.isAdmin else {
            return .failure(message(session, status: .forbidden, "Not changed", "A read-only key may look, not change: sign in with an admin key.", back: "/dashboard"))
        }
        return .success(session)
    }

    // MARK: Overview

    func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = currentSession(request) else { return toSignIn(request) }
        let time = now()
        var problem: String?
        var query = DashboardQuery()
        var filter = JobFilter()
        do {
            query = try DashboardQuery(FormFields.parse(request.uri.query ?? ""))
            filter = try query.jobFilter()
        } catch {
            problem = error.message
        }
        let page = OverviewPage(snapshots: state.snapshot(now: time), query: query, filter: filter, now: time)
        var values = page.context
        if let problem { values["error"] = problem }
        return views.page("overview", values, layout: layout("Jobs", session: session, nav: "navOverview", live: true, refresh: 30))
    }

    // MARK: Job page

    func jobPage(_ request: Request, context: AppRequestContext, flash: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = currentSession(request) else { return toSignIn(request) }
        guard let id = JobID(context.parameters.get("id") ?? ""), let record = await registry.record(id),
              let live = state.job(id, now: now()) else {
            return message(session, status: .notFound, "No such job", "There is no job \(context.parameters.get("id") ?? "") (ids are job_name@host).", back: "/dashboard")
        }
        let snapshot = JobSnapshot(job: live.job, firstSeen: live.firstSeen, state: live.state, verdict: live.verdict)
        let results = (try? database.fetchResults(for: id, limit: 100)) ?? []
        let notifications = (try? database.notifications(NotificationFilter(job: id.description), limit: 20).notifications) ?? []
        var page = JobPage(snapshot: snapshot, record: record, results: results, notifications: notifications,
                           file: Self.readFile(jobsDirectory, record.path), base: baseURL(request), now: now()).context
        if session.isAdmin {
            page["admin"] = true
            page["csrf"] = signer.csrfToken(session)
        }
        if let changed = FormFields.parse(request.uri.query ?? "")["changed"], let text = JobPage.changedText[changed] {
            page["changed"] = text
        }
        page.merge(flash) { _, new in new }
        return views.page("job", page, layout: layout(id.description, session: session, nav: "navOverview", live: true), status: status)
    }

    static func readFile(_ root: String, _ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { return "(the file cannot be read)" }
        return String(decoding: data.prefix(64 << 10), as: UTF8.self)
    }

    /// Where hosts reach this server: `server.external_url`, else this request's host.
    func baseURL(_ request: Request) -> String {
        if let external = runtime.notifications.externalURL, !external.isEmpty {
            return external.hasSuffix("/") ? String(external.dropLast()) : external
        }
        let host = request.head.authority ?? "127.0.0.1:8080"
        let clean = host.filter { $0.isLetter || $0.isNumber || ".-:[]".contains($0) }
        return (tls ? "https://" : "http://") + clean
    }

    func jobAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        let session: DashboardSession
        switch authorizePost(request, form: form, admin: true) {
        case let .success(value): session = value
        case let .failure(response): return response
        }
        guard let id = JobID(context.parameters.get("id") ?? "") else {
            return message(session, status: .notFound, "No such job", "Ids are job_name@host.", back: "/dashboard")
        }
        let action = context.parameters.get("action") ?? ""
        let back = DashboardRow.href(id)
        let fields: [String: JSONValue]
        switch action {
        case "pause":
            fields = ["status": .string("paused")]
        case "resume":
            fields = ["status": .string("active"), "maintenance_until": .null]
        case "maintenance":
            switch Self.maintenanceEnd(form, now: now()) {
            case let .success(until): fields = ["status": .string("maintenance"), "maintenance_until": .string(RFC3339.format(until))]
            case let .failure(problem):
                return try await jobPage(request, context: context, flash: ["error": problem.message], status: .unprocessableContent)
            }
        case "rotate-key":
            do {
                let (_, key) = try await registry.edit { editor throws(JobEditError) in try editor.rotateKey(id) }
                context.logger.info("job key rotated from the dashboard", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
                return try await jobPage(request, context: context, flash: ["newKey": key])
            } catch {
                return try await jobPage(request, context: context, flash: ["error": "\(error)"], status: APIError(error).status)
            }
        default:
            return message(session, status: .notFound, "No such action", "The dashboard cannot '\(action)' a job.", back: back)
        }
        do {
            try await registry.edit { editor throws(JobEditError) in try editor.patch(id, fields, apiKey: nil) }
        } catch {
            return try await jobPage(request, context: context, flash: ["error": "\(error)"], status: APIError(error).status)
        }
        context.logger.info("job changed from the dashboard", metadata: ["job": .string(id.jobName), "host": .string(id.host), "action": .string(action)])
        return redirect(back + "?changed=" + action)
    }

    /// The end of a maintenance window: `for` (1h … 7d) or `until` (a
    /// browser's datetime-local, read as UTC, or RFC 3339), in the future.
    static func maintenanceEnd(_ form: [String: String], now: Date) -> Result<Date, DashboardProblem> {
        if let text = form["for"], !text.isEmpty {
            guard let duration = JobDuration(parsing: text), duration.seconds > 0, duration.seconds <= 366 * 86_400 else {
                return .failure(DashboardProblem("'\(text.prefix(20))' is not a duration such as 4h"))
            }
            return .success(now.addingTimeInterval(Double(duration.seconds)).rounded())
        }
        guard let text = form["until"], !text.isEmpty else {
            return .failure(DashboardProblem("Choose how long (for) or until when the maintenance lasts."))
        }
        var candidate = text
        if candidate.count == 16 { candidate += ":00" }
        if !candidate.hasSuffix("Z"), !candidate.contains("+"), candidate.count == 19 { candidate += "Z" }
        guard let until = RFC3339.parse(candidate) else {
            return .failure(DashboardProblem("'\(text.prefix(40))' is not a time such as 2026-12-01T18:00 (UTC)"))
        }
        guard until > now else { return .failure(DashboardProblem("The end of the maintenance must be in the future.")) }
        return .success(until)
    }

    // MARK: Notifications

    func notificationsPage(_ request: Request, flash: [String: Any] = [:]) async throws -> Response {
        guard let session = currentSession(request) else { return toSignIn(request) }
        let pending = (try? database.notifications(NotificationFilter(state: .pending), limit: 200).notifications) ?? []
        let dead = (try? database.notifications(NotificationFilter(state: .dead), limit: 200).notifications) ?? []
        var page = NotificationsPage(pending: pending, dead: dead, now: now()).context
        if session.isAdmin {
            page["admin"] = true
            page["csrf"] = signer.csrfToken(session)
        }
        if let changed = FormFields.parse(request.uri.query ?? "")["requeued"] {
            page["changed"] = "Requeued \(Int(changed) ?? 0) message(s); the dispatcher sends them now."
        }
        page.merge(flash) { _, new in new }
        return views.page("notifications", page, layout: layout("Notifications", session: session, nav: "navNotifications", refresh: 30))
    }

    func requeue(_ request: Request, context: AppRequestContext, id: Int64?) async throws -> Response {
        let form = try await Self.form(request)
        switch authorizePost(request, form: form, admin: true) {
        case .success: break
        case let .failure(response): return response
        }
        var count = 0
        if let id {
            switch try await database.requeueNotification(id: id, now: now()) {
            case .requeued: count = 1
            case .notFound: return try await notificationsPage(request, flash: ["error": "There is no notification \(id)."])
            case let .notDead(state): return try await notificationsPage(request, flash: ["error": "Notification \(id) is \(state); only dead ones are requeued."])
            }
        } else {
            count = try await database.requeueNotifications(NotificationFilter(state: .dead), now: now())
        }
        context.logger.info("notifications requeued from the dashboard", metadata: ["count": "\(count)"])
        return redirect("/dashboard/notifications?requeued=\(count)")
    }

    // MARK: Live updates

    func events(_ request: Request, context: AppRequestContext) -> Response {
        func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
            var headers = DashboardViews.headers("text/plain; charset=utf-8")
            // A refused page's connection is not kept for its next try: the
            // place goes back to submissions, pings and scrapes at once.
            if status != .ok { headers[.connection] = "close" }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
        }
        guard let session = currentSession(request) else { return plain(.unauthorized, "sign in at /dashboard/signin") }
        // The jobs the page shows (`?jobs=a@h,b@h`); none named: every job.
        let named = FormFields.parse(request.uri.query ?? "")["jobs"].map {
            Set($0.split(separator: ",").prefix(DashboardFeed.maxJobs).map(String.init))
        }
        let (signer, runtime, now) = (signer, runtime, now)
        switch feed.subscribe(jobs: named, session: session.nonce, valid: { signer.current(session, keys: runtime.keys, now: now()) != nil }) {
        case let .stream(stream, id):
            var headers = DashboardViews.headers("text/event-stream; charset=utf-8")
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: feed.responseBody(stream, id: id))
        case .sessionFull:
            context.logger.warning("dashboard stream refused: the session's streams are all open", metadata: ["limit": "\(feed.limits.perSession)"])
            var response = plain(.tooManyRequests, "this session has \(feed.limits.perSession) live streams open; close a dashboard tab")
            response.headers[.retryAfter] = "10"
            return response
        case .serverFull:
            context.logger.warning("dashboard stream refused: the server's streams are all open", metadata: ["limit": "\(feed.limits.total)"])
            var response = plain(.serviceUnavailable, "the server has \(feed.limits.total) live streams open; the page refreshes every 30 s instead")
            response.headers[.retryAfter] = "30"
            return response
        case .closed:
            return plain(.serviceUnavailable, "the server is shutting down")
        }
    }
}

extension Date {
    /// To the whole second (job files hold whole seconds).
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded()) }
}
