import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /api/job-result`, `POST /api/job-start` and `GET /api/job/{id}/results`.
struct ResultController {
    let intake: SignalIntake
    let database: StateStore
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func addRoutes(public router: Router<AppRequestContext>, admin: RouterGroup<AppRequestContext>) {
        router.post("/api/job-result") { request, context in
            try await intake.counted(context.logger) { try await submit(request, context: context) }
        }
        router.post("/api/job-start") { request, context in
            try await intake.counted(context.logger) { try await start(request, context: context) }
        }
        admin.get("/api/job/{id}/results") { request, context in
            try await history(request, context: context)
        }
    }

    func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        // The key first: a client without a valid key learns nothing about the
        // body rules, and its body is never read.
        let keyHash = try intake.knownKeyHash(request.headers[Self.apiKeyHeader])
        let payload = try SubmissionPayload.decode(try await request.jsonBody(limit: intake.configuration.maxBodyBytes))
        let id = JobID(jobName: payload.jobName, host: payload.host)
        do {
            _ = try intake.job(id, keyHash: keyHash)
            let receivedAt = intake.now()
            let result = JobResult(
                jobID: id, receivedAt: receivedAt, runAt: try intake.runTime(payload.timestamp, receivedAt: receivedAt),
                status: payload.status ?? (payload.exitCode == 0 ? .success : .failure), duration: payload.duration,
                exitCode: payload.exitCode, output: payload.output, labels: payload.labels, runID: payload.runID)
            let stored = try await intake.store(result, logger: context.logger)
            return SubmissionReceipt(result: stored, requestID: context.requestID).response()
        } catch {
            throw error.about(id)
        }
    }

    func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let keyHash = try intake.knownKeyHash(request.headers[Self.apiKeyHeader])
        let payload = try StrictJSON.decode(StartPayload.self, from: try await request.jsonBody(limit: intake.configuration.maxBodyBytes))
        let id = JobID(jobName: payload.jobName, host: payload.host)
        do {
            _ = try intake.job(id, keyHash: keyHash)
            let run = try await intake.start(id, runID: payload.runID, logger: context.logger)
            return StartReceipt(jobID: id, run: run, requestID: context.requestID).response()
        } catch {
            throw error.about(id)
        }
    }

    func history(_ request: Request, context: AppRequestContext) async throws -> HistoryPage {
        let id = try JobRoute.id(context)
        let page = try PageQuery(request, item: "result")
        let (limit, before) = (page.limit, page.before)
        let results = try await database.fetchResults(for: id, limit: limit, beforeID: before)
        if results.isEmpty, before == nil, intake.state.job(id, now: intake.now()) == nil {
            throw APIError(.notFound, "no job \(id)")
        }
        return HistoryPage(results: results.map(ResultRecord.init), nextBefore: results.count == limit ? results.last?.id : nil)
    }
}
