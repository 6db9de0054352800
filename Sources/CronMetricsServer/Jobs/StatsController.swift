import CronMetricsCore
import Foundation
import Hummingbird

/// Statistics from the rollups and flips (SPEC §15): one job's over a
/// window, its flips page by page, and a filtered set of jobs' overall and
/// per label value. Admin and read-only keys.
struct StatsController {
    let components: ServerComponents
    var registry: JobRegistry { components.registry }
    var database: StateStore { components.database }

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.get("/api/job/{id}/stats") { request, context in try await job(request, context: context) }
        admin.get("/api/job/{id}/flips") { request, context in try await flips(request, context: context) }
        admin.get("/api/stats") { request, _ in try await report(request) }
    }

    /// The window a request asks for (`window`, or `from`/`to`).
    func window(_ request: Request) throws(APIError) -> StatsWindow {
        let query = request.uri.queryParameters
        do {
            return try StatsWindow(window: query["window"].map(String.init), from: query["from"].map(String.init),
                                   to: query["to"].map(String.init), now: components.now())
        } catch {
            throw APIError(.unprocessableContent, error.description, field: error.field)
        }
    }

    func job(_ request: Request, context: AppRequestContext) async throws -> JobStatistics {
        let id = try JobRoute.id(context)
        let window = try window(request)
        guard await registry.record(id) != nil else { throw APIError(.notFound, "no job \(id)") }
        let history = try await database.histories([id], window: window)[id] ?? JobHistory()
        return JobStatistics(window: window, counts: history.counts, timelines: [history.timeline], jobId: id.description,
                             streak: history.streak)
    }

    func flips(_ request: Request, context: AppRequestContext) async throws -> FlipPage {
        let id = try JobRoute.id(context)
        let page = try PageQuery(request, item: "flip")
        let flips = try await database.flips(for: id, limit: page.limit, beforeID: page.before)
        if flips.isEmpty, page.before == nil, await registry.record(id) == nil {
            throw APIError(.notFound, "no job \(id)")
        }
        return FlipPage(flips: flips, nextBefore: flips.count == page.limit ? flips.last?.id : nil)
    }

    func report(_ request: Request) async throws -> StatsReport {
        let window = try window(request)
        let filter = try JobController.filter(request.uri.queryParameters)
        let groupBy = request.uri.queryParameters["group_by"].map(String.init)
        if let groupBy, let problem = LabelName.problem(groupBy) {
            throw APIError(.unprocessableContent, "group_by: \(problem)", field: "group_by")
        }
        return try await Self.report(registry: registry, database: database, filter: filter, window: window, groupBy: groupBy)
    }

    /// The jobs `filter` selects, added up per value of `groupBy` (the API's
    /// `/api/stats` and the dashboard's teams page).
    static func report(registry: JobRegistry, database: StateStore, filter: JobFilter, window: StatsWindow,
                       groupBy: String?) async throws(StoreError) -> StatsReport {
        let jobs = await registry.records(filter).map { (id: JobID(jobName: $0.jobName, host: $0.host), labels: $0.labels) }
        // Every job's rows at once when the filter keeps most of them; by id when it picks a few.
        let histories = try await database.histories(jobs.count > 500 ? nil : jobs.map(\.id), window: window)
        return StatsReport(jobs: jobs, histories: histories, window: window, groupBy: groupBy)
    }
}
