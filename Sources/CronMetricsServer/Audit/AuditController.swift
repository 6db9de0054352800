import CronMetricsCore
import Hummingbird

/// `GET /api/audit`: the audit trail, newest first, by job and by actor
/// (admin and read-only keys).
struct AuditController {
    let database: StateStore

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.get("/api/audit") { request, _ in try await list(request) }
    }

    func list(_ request: Request) async throws -> AuditPage {
        let page = try PageQuery(request, item: "audit row")
        let query = request.uri.queryParameters
        let filter = AuditFilter(job: query["job"].map(String.init), actor: query["actor"].map(String.init))
        do {
            return try await database.audit(filter, limit: page.limit, before: page.before)
        } catch {
            throw APIError(error)
        }
    }
}
