import CronMetricsCore
import Foundation
import Logging

/// What every way in for cron hosts shares (`POST /api/job-result`,
/// `POST /api/job-start`, the ping URLs): the key looked up before anything
/// else, the job it must belong to, the clock checks, the output policy, the
/// durable write, and the count of outcomes.
struct SignalIntake: Sendable {
    let state: LiveState
    let writer: SignalWriter
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let now: @Sendable () -> Date

    /// The key's hash, if some job has it (a dictionary lookup, before any body is read).
    func knownKeyHash(_ key: String?) throws(APIError) -> String {
        guard let key, !key.isEmpty else { throw APIError(.unauthorized, "missing X-API-Key header") }
        let hash = APIKeyHash.sha256Hex(of: key)
        guard state.knows(keyHash: hash) else { throw APIError(.unauthorized, "unknown API key") }
        return hash
    }

    /// The job `id` if the key belongs to it and it takes signals.
    func job(_ id: JobID, keyHash: String) throws(APIError) -> Job {
        switch state.authorize(keyHash: keyHash, for: id) {
        case .unknownKey: throw APIError(.unauthorized, "unknown API key")
        case .otherJob: throw APIError(.forbidden, "this API key does not belong to job \(id)")
        case let .allowed(job):
            guard job.status != .retired else { throw APIError(.conflict, "job \(id) is retired and accepts no results") }
            return job
        }
    }

    /// The run's own time: the client's `timestamp` if sane, else arrival.
    func runTime(_ text: String?, receivedAt: Date) throws(APIError) -> Date {
        guard let text else { return receivedAt }
        guard let date = RFC3339.parse(text) else {
            throw APIError(.unprocessableContent, "'timestamp' must be an RFC 3339 timestamp such as 2025-10-30T19:56:00Z", field: "timestamp")
        }
        guard date.timeIntervalSince(receivedAt) <= configuration.allowedClockSkew else {
            throw APIError(.unprocessableContent, "'timestamp' lies more than \(Int(configuration.allowedClockSkew)) seconds in the future; check the host's clock", field: "timestamp")
        }
        return date
    }

    /// Stores a result durably (output redacted and capped first).
    func store(_ result: JobResult, logger: Logger) async throws(APIError) -> JobResult {
        var result = result
        result.output = configuration.storedOutput(result.output)
        let jobMetadata: Logger.Metadata = ["job": .string(result.jobID.jobName), "host": .string(result.jobID.host)]
        do {
            let stored = try await writer.submit(result)
            logger.debug("result accepted", metadata: jobMetadata.merging(["status": .string(stored.status.rawValue), "result_id": "\(stored.id ?? 0)"]) { $1 })
            return stored
        } catch {
            logger.error("result not stored", metadata: jobMetadata.merging(["error": .string("\(error)")]) { $1 })
            throw APIError(.serviceUnavailable, "the result could not be stored; retry")
        }
    }

    /// Stores a start signal durably.
    func start(_ id: JobID, runID: String?, logger: Logger) async throws(APIError) -> OpenRun {
        do {
            return try await writer.start(id, runID: runID, at: now())
        } catch {
            logger.error("start not stored", metadata: ["job": .string(id.jobName), "host": .string(id.host), "error": .string("\(error)")])
            throw APIError(.serviceUnavailable, "the start could not be stored; retry")
        }
    }

    /// Runs `body`, counting its outcome on `cronmetrics_result_submissions_total`
    /// and logging a refusal with its reason (never the key).
    func counted<T>(_ logger: Logger, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            metrics.count(.accepted)
            return value
        } catch {
            let apiError = APIError(error)
            metrics.count(apiError.outcome)
            var metadata: Logger.Metadata = ["status": "\(apiError.status.code)", "reason": .string(apiError.message)]
            if let id = apiError.jobID {
                metadata["job"] = .string(id.jobName)
                metadata["host"] = .string(id.host)
            }
            logger.warning("signal refused", metadata: metadata)
            throw apiError
        }
    }
}
