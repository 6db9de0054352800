import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird

/// The admin job API: every write goes to a file in `jobs.d` first, then
/// through the same reload as SIGHUP; the answer shows the reloaded state.
struct JobController {
    let runtime: ServerRuntime

    func addRoutes(to admin: RouterGroup<AppRequestContext>) {
        admin.post("/api/job") { request, context in try await create(request, context: context) }
        admin.get("/api/job") { request, _ in try await list(request) }
        admin.get("/api/job/{id}") { _, context in try await show(context) }
        admin.put("/api/job/{id}") { request, context in try await replace(request, context: context, merge: false) }
        admin.patch("/api/job/{id}") { request, context in try await replace(request, context: context, merge: true) }
        admin.delete("/api/job/{id}") { _, context in try await delete(context) }
        admin.post("/api/job/{id}/rotate-key") { _, context in try await rotateKey(context) }
        admin.post("/-/reload") { _, _ in try await reload() }
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var fields = try await body(request)
        let key = try takeKey(from: &fields)
        if key == nil, fields["api_key_sha256"] == nil || fields["api_key_sha256"] is NSNull {
            fields["api_key_sha256"] = nil
        }
        var job = try JobBody.job(from: fields)
        var issuedKey: String?
        if let key {
            job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key)
        } else if job.apiKeySHA256 == nil {
            let generated = APIKeyHash.generateKey()
            job.apiKeySHA256 = APIKeyHash.sha256Hex(of: generated)
            issuedKey = generated
        }
        let stored = try await write(job, mustBeNew: true)
        context.logger.info("job created", metadata: ["job": .string(job.jobName), "host": .string(job.host), "file": .string(stored.path)])
        return JSONBody.response(status: .created, CreatedBody(job: body(for: stored), apiKey: issuedKey))
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var labelFilters: [(String, String)] = []
        for filter in query.getAll("label") {
            let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw APIError(.unprocessableContent, "label filters are name=value (got \"\(filter)\")", field: "label")
            }
            labelFilters.append((parts[0], parts[1]))
        }
        let status = query["status"].map(String.init)
        let host = query["host"].map(String.init)
        let text = query["q"].map { String($0).lowercased() }
        let now = runtime.now()
        var bodies: [JobBody] = []
        for stored in await runtime.jobs.values.sorted(by: { $0.job.id < $1.job.id }) {
            let job = stored.job
            let live = runtime.state.job(job.id, now: now)
            if let host, job.host != host { continue }
            if !labelFilters.allSatisfy({ job.labels[$0.0] == $0.1 }) { continue }
            if let status, job.status.rawValue != status, live?.verdict?.status.rawValue != status { continue }
            if let text, !job.id.description.lowercased().contains(text),
               !(job.description?.lowercased().contains(text) ?? false) { continue }
            bodies.append(JobBody(stored, live: live))
        }
        return JSONBody.response(status: .ok, ["jobs": bodies])
    }

    func show(_ context: AppRequestContext) async throws -> Response {
        let id = try JobRoute.id(context)
        guard let stored = await runtime.jobs[id] else { throw APIError(.notFound, "no job \(id)") }
        return JSONBody.response(status: .ok, body(for: stored))
    }

    /// PUT replaces the definition (keeping the key unless one is given);
    /// PATCH merges (RFC 7386: `labels` merge by name, `null` removes).
    func replace(_ request: Request, context: AppRequestContext, merge: Bool) async throws -> Response {
        let id = try JobRoute.id(context)
        var patch = try await body(request)
        let key = try takeKey(from: &patch)
        // Read, merge and write under the runtime's serialization: concurrent
        // PATCHes of one job each see the previous one's result.
        let stored = try await runtime.edit(id) { current throws(APIError) in
            var fields = merge ? JobBody.fields(of: current) : ["version": Job.schemaVersion]
            for (name, value) in patch {
                if merge, name == "labels", let labels = value as? [String: Any] {
                    var merged = fields["labels"] as? [String: Any] ?? [:]
                    for (label, labelValue) in labels {
                        merged[label] = labelValue is NSNull ? nil : labelValue
                    }
                    fields["labels"] = merged
                } else {
                    fields[name] = value is NSNull && merge ? nil : value
                }
            }
            if fields["job_name"] == nil, !merge { fields["job_name"] = id.jobName }
            if fields["host"] == nil, !merge { fields["host"] = id.host }
            var job = try JobBody.job(from: fields)
            guard job.id == id else {
                throw APIError(.unprocessableContent, "job_name and host cannot change; create the new job and delete this one", field: job.jobName != id.jobName ? "job_name" : "host")
            }
            if let key {
                job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key)
            } else if patch["api_key_sha256"] == nil {
                // Not named in the body: the key stays. Named as null: it is
                // removed (the key is revoked), for PUT and PATCH alike.
                job.apiKeySHA256 = current.apiKeySHA256
            }
            return job
        }
        context.logger.info("job updated", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return JSONBody.response(status: .ok, body(for: stored))
    }

    func delete(_ context: AppRequestContext) async throws -> Response {
        let id = try JobRoute.id(context)
        do {
            try await runtime.delete(id)
        } catch {
            throw Self.apiError(error)
        }
        context.logger.info("job deleted", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return Response(status: .noContent)
    }

    func rotateKey(_ context: AppRequestContext) async throws -> Response {
        let id = try JobRoute.id(context)
        let key = APIKeyHash.generateKey()
        let stored = try await runtime.edit(id) { current throws(APIError) in
            var job = current
            job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key)
            return job
        }
        context.logger.info("job key rotated", metadata: ["job": .string(id.jobName), "host": .string(id.host)])
        return JSONBody.response(status: .ok, CreatedBody(job: body(for: stored), apiKey: key))
    }

    func reload() async throws -> Response {
        switch await runtime.reload() {
        case let .applied(diff):
            return JSONBody.response(status: .ok, ReloadBody(status: "ok", added: diff.added.map(\.description),
                                                            changed: diff.changed.map(\.description),
                                                            moved: diff.moved.map(\.description),
                                                            removed: diff.removed.map(\.description)))
        case let .failed(errors):
            var error = APIError(.badRequest, "reload refused; the last good set of jobs is kept")
            error.details = errors
            throw error
        }
    }

    private func write(_ job: Job, mustBeNew: Bool) async throws(APIError) -> StoredJob {
        do {
            return try await runtime.write(job, mustBeNew: mustBeNew)
        } catch {
            throw Self.apiError(error)
        }
    }

    private func body(for stored: StoredJob) -> JobBody {
        JobBody(stored, live: runtime.state.job(stored.job.id, now: runtime.now()))
    }

    private func body(_ request: Request) async throws -> [String: Any] {
        try request.requireJSON()
        let buffer = try await request.body.collect(upTo: runtime.configuration.maxBodyBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) else {
            throw APIError(.badRequest, "malformed JSON body")
        }
        guard let fields = object as? [String: Any] else { throw APIError(.badRequest, "body must be a JSON object") }
        return fields
    }

    /// Removes `api_key` (a plaintext key the caller chose) from the fields.
    private func takeKey(from fields: inout [String: Any]) throws(APIError) -> String? {
        guard let value = fields.removeValue(forKey: "api_key"), !(value is NSNull) else { return nil }
        guard let key = value as? String else {
            throw APIError(.unprocessableContent, "'api_key' must be a string", field: "api_key")
        }
        if let problem = APIKeyHash.customKeyProblem(key) {
            throw APIError(.unprocessableContent, "'api_key': \(problem)", field: "api_key")
        }
        return key
    }

    static func apiError(_ error: ServerRuntime.WriteError) -> APIError {
        switch error {
        case let .notFound(id): return APIError(.notFound, "no job \(id)")
        case let .conflict(message): return APIError(.conflict, message)
        case let .invalid(errors):
            var apiError = APIError(.unprocessableContent, "the change would make jobs.d invalid; nothing was written")
            apiError.details = errors
            return apiError
        case let .io(message): return APIError(.internalServerError, message)
        }
    }
}

struct CreatedBody: Encodable {
    var job: JobBody
    var apiKey: String?

    enum CodingKeys: String, CodingKey {
        case job
        case apiKey = "api_key"
    }
}

struct ReloadBody: Encodable {
    var status: String
    var added: [String]
    var changed: [String]
    var moved: [String]
    var removed: [String]
}
