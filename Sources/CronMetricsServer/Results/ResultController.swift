import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /api/job-result` and `GET /api/job/{id}/results`.
struct ResultController {
    let state: LiveState
    let writer: ResultWriter
    let metrics: ServerMetrics
    let database: AppDatabase
    let configuration: ServerConfiguration
    let now: @Sendable () -> Date
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func addRoutes(public router: Router<AppRequestContext>, admin: RouterGroup<AppRequestContext>) {
        router.post("/api/job-result") { request, context in
            try await submit(request, context: context)
        }
        admin.get("/api/job/{id}/results") { request, context in
            try history(request, context: context)
        }
    }

    func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let response = try await accept(request, context: context)
            metrics.count(.accepted)
            return response
        } catch {
            let apiError = APIError(error)
            metrics.count(apiError.outcome)
            var metadata: Logger.Metadata = ["status": "\(apiError.status.code)", "reason": .string(apiError.message)]
            if let id = apiError.jobID {
                metadata["job"] = .string(id.jobName)
                metadata["host"] = .string(id.host)
            }
            context.logger.warning("result refused", metadata: metadata)
            throw apiError
        }
    }

    private func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let key = request.headers[Self.apiKeyHeader], !key.isEmpty else {
            throw APIError(.unauthorized, "missing X-API-Key header")
        }
        let keyHash = APIKeyHash.sha256Hex(of: key)
        // The key first: a client without a valid key learns nothing about the
        // body rules, and its body is never read.
        guard state.knows(keyHash: keyHash) else {
            throw APIError(.unauthorized, "unknown API key")
        }
        let payload = try SubmissionPayload.decode(try await request.jsonBody(limit: configuration.maxBodyBytes))
        let id = JobID(jobName: payload.jobName, host: payload.host)
        do {
            return try await store(payload, id: id, keyHash: keyHash, context: context)
        } catch let error as APIError {
            throw error.about(id)
        }
    }

    private func store(_ payload: SubmissionPayload, id: JobID, keyHash: String, context: AppRequestContext) async throws -> Response {
        let job: Job
        switch state.authorize(keyHash: keyHash, for: id) {
        case .unknownKey: throw APIError(.unauthorized, "unknown API key")
        case .otherJob: throw APIError(.forbidden, "this API key does not belong to job \(id)")
        case let .allowed(found): job = found
        }
        if job.status == .retired {
            throw APIError(.conflict, "job \(id) is retired and accepts no results")
        }
        let receivedAt = now()
        var runAt = receivedAt
        if let text = payload.timestamp {
            guard let date = RFC3339.parse(text) else {
                throw APIError(.unprocessableContent, "'timestamp' must be an RFC 3339 timestamp such as 2025-10-30T19:56:00Z", field: "timestamp")
            }
            guard date.timeIntervalSince(receivedAt) <= configuration.allowedClockSkew else {
                throw APIError(.unprocessableContent, "'timestamp' lies more than \(Int(configuration.allowedClockSkew)) seconds in the future; check the host's clock", field: "timestamp")
            }
            runAt = date
        }
        let status = payload.status ?? (payload.exitCode == 0 ? .success : .failure)
        let result = JobResult(
            jobID: id, receivedAt: receivedAt, runAt: runAt, status: status, duration: payload.duration,
            exitCode: payload.exitCode, output: configuration.storedOutput(payload.output), labels: payload.labels)
        // Metadata per call rather than set on the logger: setting it makes
        // swift-log's stream handler re-render all metadata, on the hot path.
        let jobMetadata: Logger.Metadata = ["job": .string(id.jobName), "host": .string(id.host)]
        let stored: JobResult
        do {
            stored = try await writer.submit(result)
        } catch {
            context.logger.error("result not stored", metadata: jobMetadata.merging(["error": .string("\(error)")]) { $1 })
            throw APIError(.serviceUnavailable, "the result could not be stored; retry")
        }
        context.logger.debug("result accepted", metadata: jobMetadata.merging(["status": .string(status.rawValue), "result_id": "\(stored.id ?? 0)"]) { $1 })
        return SubmissionReceipt(result: stored, requestID: context.requestID).response()
    }

    func history(_ request: Request, context: AppRequestContext) throws -> HistoryPage {
        let id = try JobRoute.id(context)
        let query = request.uri.queryParameters
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError(.unprocessableContent, "'limit' must be a whole number from 1 to 1000", field: "limit")
            }
            limit = value
        }
        var before: Int64?
        if let text = query["before"] {
            guard let value = Int64(text), value > 0 else {
                throw APIError(.unprocessableContent, "'before' must be a result id (the next_before of the previous page)", field: "before")
            }
            before = value
        }
        let results = try database.fetchResults(for: id, limit: limit, beforeID: before)
        if results.isEmpty, before == nil, state.job(id, now: now()) == nil {
            throw APIError(.notFound, "no job \(id)")
        }
        return HistoryPage(results: results.map(ResultRecord.init), nextBefore: results.count == limit ? results.last?.id : nil)
    }
}
