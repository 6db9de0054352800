import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// The overview, the job pages and the admin actions on a job (each writes
/// the job file through the registry's editor, like the API).
struct DashboardJobsController {
    let jobs: DashboardJobs
    let pages: DashboardPages

    /// The overview's query string.
    struct OverviewQuery: Decodable {
        var q, state, label, host, sort, page: String?
    }

    /// The teams page's query string.
    struct TeamsQuery: Decodable {
        var by, window: String?
    }

    /// The job page's query string after an action.
    struct JobQuery: Decodable {
        var changed: String?
    }

    /// The maintenance form: for how long (1h … 7d), or until when (UTC).
    struct MaintenanceForm: Decodable {
        var csrf: String?
        var `for`: String?
        var until: String?
    }

    func addRoutes(to signedIn: RouterGroup<AppRequestContext>) {
        signedIn.get("/dashboard") { request, context in overview(request, context: context) }
        signedIn.get("/dashboard/teams") { request, context in await teams(request, context: context) }
        signedIn.get("/dashboard/jobs/{id}") { request, context in try await jobPage(request, context: context) }
        signedIn.post("/dashboard/jobs/{id}/{action}") { request, context in try await jobAction(request, context: context) }
    }

    func overview(_ request: Request, context: AppRequestContext) -> Response {
        var problem: String?
        var query = DashboardQuery()
        var filter = JobFilter()
        do {
            query = try DashboardQuery(try URLEncodedFormDecoder().decode(OverviewQuery.self, from: request.uri.query ?? ""))
            filter = try query.jobFilter()
        } catch let error as DashboardProblem {
            problem = error.message
        } catch {
            problem = "the filters cannot be read: \(error)"
        }
        return pages.page(jobs.overview(query, filter: filter, error: problem),
                          frame: .init(title: "Jobs", nav: .overview, live: true, refresh: 30), session: context.dashboardSession)
    }

    func teams(_ request: Request, context: AppRequestContext) async -> Response {
        let query = (try? URLEncodedFormDecoder().decode(TeamsQuery.self, from: request.uri.query ?? "")) ?? TeamsQuery()
        let by = query.by.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } ?? "team"
        let window = query.window.flatMap { JobHistoryModel.windows.contains($0) ? $0 : nil } ?? "7d"
        return pages.page(await jobs.teams(by: by, window: window), frame: .init(title: "Teams", nav: .teams),
                          session: context.dashboardSession)
    }

    func jobPage(_ request: Request, context: AppRequestContext, after: (inout JobPageModel) -> Void = { _ in },
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        let session = context.dashboardSession
        let text = context.parameters.get("id") ?? ""
        guard let id = JobID(text), var model = await jobs.page(id, request: request) else {
            return pages.message(session, status: .notFound, "No such job", "There is no job \(text) (ids are job_name@host).", back: "/dashboard")
        }
        if jobs.readOnly {
            model.readOnly = true
        } else if let session, session.isAdmin {
            model.admin = true
            model.csrf = pages.signer.csrfToken(session)
        }
        if let changed = (try? URLEncodedFormDecoder().decode(JobQuery.self, from: request.uri.query ?? ""))?.changed {
            model.changed = JobPageModel.changedText[changed]
        }
        after(&model)
        return pages.page(model, frame: .init(title: id.description, nav: .overview, live: true), session: session, status: status)
    }

    func jobAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = context.dashboardSession
        guard let id = JobID(context.parameters.get("id") ?? "") else {
            return pages.message(session, status: .notFound, "No such job", "Ids are job_name@host.", back: "/dashboard")
        }
        let action = context.parameters.get("action") ?? ""
        let back = DashboardRow.href(id)
        func failed(_ error: JobEditError) async throws -> Response {
            try await jobPage(request, context: context, after: { $0.error = "\(error)" }, status: APIError(error).status)
        }
        let fields: [String: JSONValue]
        switch action {
        case "pause":
            fields = ["status": .string("paused")]
        case "resume":
            fields = ["status": .string("active"), "maintenance_until": .null]
        case "maintenance":
            var body = request
            let form = (try? URLEncodedFormDecoder().decode(MaintenanceForm.self, from: String(buffer: try await body.collectBody(upTo: DashboardAuthMiddleware.formLimit))))
            switch Self.maintenanceEnd(for: form?.for, until: form?.until, now: jobs.now()) {
            case let .success(until): fields = ["status": .string("maintenance"), "maintenance_until": .string(RFC3339.format(until))]
            case let .failure(problem):
                return try await jobPage(request, context: context, after: { $0.error = problem.message }, status: .unprocessableContent)
            }
        case "rotate-key":
            let key: String
            do {
                key = try await jobs.rotateKey(id, audit: context.audit("dashboard rotate-key"))
            } catch {
                return try await failed(error)
            }
            context.logger.info("job key rotated from the dashboard", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
            return try await jobPage(request, context: context, after: { $0.newKey = key })
        default:
            return pages.message(session, status: .notFound, "No such action", "The dashboard cannot '\(action)' a job.", back: back)
        }
        do {
            try await jobs.patch(id, fields, audit: context.audit("dashboard \(action)"))
        } catch {
            return try await failed(error)
        }
        context.logger.info("job changed from the dashboard", metadata: ["job": .string(id.jobName), "host": .string(id.host), "action": .string(action)])
        return pages.redirect(back + "?changed=" + action)
    }

    /// The end of a maintenance window: `for` (1h … 7d) or `until` (a
    /// browser's datetime-local, read as UTC, or RFC 3339), in the future.
    static func maintenanceEnd(for duration: String?, until: String?, now: Date) -> Result<Date, DashboardProblem> {
        if let text = duration, !text.isEmpty {
            guard let duration = JobDuration(parsing: text), duration.seconds > 0, duration.seconds <= 366 * 86_400 else {
                return .failure(DashboardProblem("'\(text.prefix(20))' is not a duration such as 4h"))
            }
            return .success(now.addingTimeInterval(Double(duration.seconds)).rounded())
        }
        guard let text = until, !text.isEmpty else {
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
}

extension Date {
    /// To the whole second (job files hold whole seconds).
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded()) }
}
