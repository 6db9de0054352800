import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// The admin job API. Every change goes through the registry's job editor:
/// a file in `jobs.d` first, then the same reload as SIGHUP; the answer shows
/// the reloaded state.
struct JobController {
    let registry: JobRegistry
    let settings: SettingsReloader
    let maxBodyBytes: Int

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.post("/api/job") { request, context in try await create(request, context: context) }
        admin.get("/api/job") { request, _ in try await list(request) }
        admin.get("/api/job/{id}") { _, context in try await show(context) }
        admin.put("/api/job/{id}") { request, context in try await change(request, context: context, merge: false) }
        admin.patch("/api/job/{id}") { request, context in try await change(request, context: context, merge: true) }
        admin.delete("/api/job/{id}") { _, context in try await delete(context) }
        admin.post("/api/job/{id}/rotate-key") { _, context in try await rotateKey(context) }
        admin.post("/-/reload") { _, context in try await reload(context) }
        admin.get("/api/plan-basis") { _, _ in
            await registry.planBasis(channels: Array(settings.runtime.notifications.channels.keys))
        }
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<JobWithKey> {
        var fields = try await request.jsonObject(limit: maxBodyBytes)
        let key = try Self.takeKey(from: &fields)
        let (entry, issued) = try await registry.edit(context.audit("POST /api/job")) { editor throws(JobEditError) in
            try await editor.create(fields: fields, apiKey: key)
        }
        context.logger.info("job created", metadata: ["job": .string(entry.job.jobName), "host": .string(entry.job.host), "file": .string(entry.path)])
        return EditedResponse(status: .created, response: JobWithKey(job: try await record(entry.job.id), apiKey: issued))
    }

    func list(_ request: Request) async throws -> JobList {
        JobList(jobs: await registry.records(try Self.filter(request.uri.queryParameters)))
    }

    /// The job filter of a listing's query (`label`, `label.NAME`, `lifecycle`, `status`, `host`, `q`).
    static func filter(_ query: Parameters) throws -> JobFilter {
        // `label.NAME=VALUE` is how the Go cron-exporter filtered; taken too.
        let legacy = query.compactMap { $0.key.hasPrefix("label.") ? "\($0.key.dropFirst("label.".count))=\($0.value)" : nil }
        var filter = JobFilter(labels: try JobFilter.labels(query.getAll("label").map { String($0) } + legacy))
        if let text = query["lifecycle"] {
            guard let lifecycle = Lifecycle(rawValue: String(text)) else {
                throw APIError(.unprocessableContent, "'lifecycle' must be one of \(Lifecycle.allCases.map(\.rawValue).joined(separator: ", "))", field: "lifecycle")
            }
            filter.lifecycle = lifecycle
        }
        filter.status = query["status"].map(String.init)
        filter.host = query["host"].map(String.init)
        filter.text = query["q"].map(String.init)
        return filter
    }

    func show(_ context: AppRequestContext) async throws -> JobRecord {
        try await record(try JobRoute.id(context))
    }

    /// PUT replaces the definition (keeping the key unless one is named);
    /// PATCH merges (RFC 7386: `labels` merge by name, `null` removes).
    func change(_ request: Request, context: AppRequestContext, merge: Bool) async throws -> JobRecord {
        let id = try JobRoute.id(context)
        var fields = try await request.jsonObject(limit: maxBodyBytes)
        let key = try Self.takeKey(from: &fields)
        try await registry.edit(context.audit(merge ? "PATCH /api/job/{id}" : "PUT /api/job/{id}")) { editor throws(JobEditError) in
            merge ? try await editor.patch(id, fields, apiKey: key) : try await editor.replace(id, fields: fields, apiKey: key)
        }
        context.logger.info("job updated", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return try await record(id)
    }

    func delete(_ context: AppRequestContext) async throws -> Response {
        let id = try JobRoute.id(context)
        try await registry.edit(context.audit("DELETE /api/job/{id}")) { editor throws(JobEditError) in try await editor.delete(id) }
        context.logger.info("job deleted", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return Response(status: .noContent)
    }

    func rotateKey(_ context: AppRequestContext) async throws -> JobWithKey {
        let id = try JobRoute.id(context)
        let (_, key) = try await registry.edit(context.audit("POST /api/job/{id}/rotate-key")) { editor throws(JobEditError) in
            try await editor.rotateKey(id)
        }
        context.logger.info("job key rotated", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return JobWithKey(job: try await record(id), apiKey: key)
    }

    func reload(_ context: AppRequestContext) async throws -> ReloadSummary {
        if case let .failed(problems) = await settings.reload() {
            var error = APIError(.badRequest, "configuration reload refused; the running configuration is kept")
            error.details = problems
            throw error
        }
        switch await registry.reload(route: "POST /-/reload", requestID: context.requestID) {
        case let .applied(diff):
            return ReloadSummary(diff)
        case let .failed(errors):
            var error = APIError(.badRequest, "reload refused; the last good set of jobs is kept")
            error.details = errors
            throw error
        }
    }

    private func record(_ id: JobID) async throws -> JobRecord {
        guard let record = await registry.record(id) else { throw APIError(.notFound, "no job \(id)") }
        return record
    }

    /// Removes `api_key` (a plaintext key the caller chose) from the fields.
    private static func takeKey(from fields: inout [String: JSONValue]) throws(APIError) -> String? {
        guard let value = fields.removeValue(forKey: "api_key"), value != .null else { return nil }
        guard let key = value.string else {
            throw APIError(.unprocessableContent, "'api_key' must be a string", field: "api_key")
        }
        return key
    }
}
