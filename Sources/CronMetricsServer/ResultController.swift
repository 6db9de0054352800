import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /api/job-result` and `GET /api/job/{id}/results`.
struct ResultController {
    let runtime: ServerRuntime
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func addRoutes(public router: Router<AppRequestContext>, admin: RouterGroup<AppRequestContext>) {
        router.post("/api/job-result") { request, context in
            try await submit(request, context: context)
        }
        admin.get("/api/job/{id}/results") { request, context in
            try await history(request, context: context)
        }
    }

    func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let response = try await accept(request, context: context)
            runtime.metrics.count(.accepted)
            return response
        } catch {
            let apiError = RequestIDMiddleware.apiError(for: error)
            runtime.metrics.count(apiError.outcome)
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
        let configuration = runtime.configuration
        guard let key = request.headers[Self.apiKeyHeader], !key.isEmpty else {
            throw APIError(.unauthorized, "missing X-API-Key header")
        }
        let keyHash = APIKeyHash.sha256Hex(of: key)
        // The key first: a client without a valid key learns nothing about the
        // body rules, and its body is never read.
        guard runtime.state.knows(keyHash: keyHash) else {
            throw APIError(.unauthorized, "unknown API key")
        }
        try request.requireJSON()
        let body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        let payload = try SubmissionPayload.decode(Data(buffer: body))
        let id = JobID(jobName: payload.jobName, host: payload.host)
        // Metadata per call rather than set on the logger: setting it makes
        // swift-log's stream handler re-render all metadata, on the hot path.
        let jobMetadata: Logger.Metadata = ["job": .string(payload.jobName), "host": .string(payload.host)]

        do {
            return try await store(payload, id: id, keyHash: keyHash, context: context, jobMetadata: jobMetadata)
        } catch let error as APIError {
            throw error.about(id)
        }
    }

    private func store(
        _ payload: SubmissionPayload, id: JobID, keyHash: String, context: AppRequestContext, jobMetadata: Logger.Metadata
    ) async throws -> Response {
        let configuration = runtime.configuration
        let job: Job
        switch runtime.state.authorize(keyHash: keyHash, for: id) {
        case .unknownKey: throw APIError(.unauthorized, "unknown API key")
        case .otherJob: throw APIError(.forbidden, "this API key does not belong to job \(id)")
        case let .allowed(found): job = found
        }
        if job.status == .retired {
            throw APIError(.conflict, "job \(id) is retired and accepts no results")
        }
        let receivedAt = runtime.now()
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
            exitCode: payload.exitCode, output: configuration.storedOutput(payload.output),
            labels: payload.labels)
        let stored: JobResult
        do {
            stored = try await runtime.writer.submit(result)
        } catch {
            context.logger.error("result not stored", metadata: jobMetadata.merging(["error": .string("\(error)")]) { $1 })
            throw APIError(.serviceUnavailable, "the result could not be stored; retry")
        }
        context.logger.debug("result accepted", metadata: jobMetadata.merging(["status": .string(status.rawValue), "result_id": "\(stored.id ?? 0)"]) { $1 })
        return SubmissionReceipt(result: stored, requestID: context.requestID).response()
    }

    func history(_ request: Request, context: AppRequestContext) async throws -> Response {
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
        let results = try runtime.database.fetchResults(for: id, limit: limit, beforeID: before)
        if results.isEmpty, before == nil, runtime.state.job(id, now: runtime.now()) == nil {
            throw APIError(.notFound, "no job \(id)")
        }
        let page = HistoryPage(
            results: results.map(ResultBody.init),
            nextBefore: results.count == limit ? results.last?.id : nil)
        return JSONBody.response(status: .ok, page)
    }
}

/// Path helpers for `/api/job/{id}`.
enum JobRoute {
    static func id(_ context: AppRequestContext) throws(APIError) -> JobID {
        let text = context.parameters.get("id") ?? ""
        guard let id = JobID(text) else {
            throw APIError(.notFound, "no job \(text): ids are job_name@host")
        }
        return id
    }
}

/// The 201 body: `{"id", "job_id", "received_at", "request_id", "status"}`.
struct SubmissionReceipt {
    var id: Int64?
    var jobID: String
    var status: String
    var receivedAt: Date
    var requestID: String

    init(result: JobResult, requestID: String) {
        id = result.id
        jobID = result.jobID.description
        status = result.status.rawValue
        receivedAt = result.receivedAt
        self.requestID = requestID
    }

    /// Written by hand, one per accepted result: every value is a number or
    /// of a character set that needs no JSON escaping (job ids, request ids,
    /// status words, RFC 3339 times), and JSONEncoder was 6% of a submission.
    func response() -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(#"{"id":\#(id ?? 0),"job_id":"\#(jobID)","received_at":"\#(RFC3339.format(receivedAt))","request_id":"\#(requestID)","status":"\#(status)"}"#)
        buffer.writeString("\n")
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}

struct ResultBody: Encodable {
    var id: Int64?
    var jobName: String
    var host: String
    var status: String
    var receivedAt: Date
    var timestamp: Date
    var duration: Double?
    var exitCode: Int?
    var output: String?
    var labels: [String: String]?

    init(_ result: JobResult) {
        id = result.id
        jobName = result.jobID.jobName
        host = result.jobID.host
        status = result.status.rawValue
        receivedAt = result.receivedAt
        timestamp = result.runAt
        duration = result.duration
        exitCode = result.exitCode
        output = result.output
        labels = result.labels
    }

    enum CodingKeys: String, CodingKey {
        case id, host, status, timestamp, duration, output, labels
        case jobName = "job_name"
        case receivedAt = "received_at"
        case exitCode = "exit_code"
    }
}

struct HistoryPage: Encodable {
    var results: [ResultBody]
    var nextBefore: Int64?

    enum CodingKeys: String, CodingKey {
        case results
        case nextBefore = "next_before"
    }
}

extension Request {
    /// - Throws: 415 unless the body is declared `application/json` (any parameters).
    func requireJSON() throws(APIError) {
        guard let contentType = headers[.contentType],
              contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
        else { throw APIError(.unsupportedMediaType, "Content-Type must be application/json") }
    }
}
