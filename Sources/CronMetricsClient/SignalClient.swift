import AsyncHTTPClient
import CronMetricsCore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends a job's own signals (start, result) with its key, as a cron host
/// does: what `cronmetrics run` uses.
public struct SignalClient: Sendable {
    let connection: ServerConnection

    public init(server: String, key: String) {
        connection = ServerConnection(server: server, keyHeader: ("X-API-Key", key))
    }

    /// How a send ended.
    public enum Outcome: Sendable, Equatable {
        case stored
        /// The server answered, and sending the same again cannot succeed.
        case refused(status: Int, message: String)
        /// No answer, or one that says try again (5xx, 401/403 while a key is fixed).
        case retry(String)
    }

    public func start(jobID: JobID, runID: String) async -> Outcome {
        let body: [String: JSONValue] = ["job_name": .string(jobID.jobName), "host": .string(jobID.host), "run_id": .string(runID)]
        return await post("/api/job-start", body: (try? APICoding.encoder.encode(body)) ?? Data())
    }

    /// Sends a result body (the JSON of `POST /api/job-result`) as it is.
    public func result(_ body: Data) async -> Outcome {
        await post("/api/job-result", body: body)
    }

    private func post(_ path: String, body: Data) async -> Outcome {
        do {
            let (status, data) = try await connection.send(.POST, path, json: body, timeout: .seconds(10), limit: 1 << 20)
            let text = String(decoding: data, as: UTF8.self)
            switch status {
            case 200..<300: return .stored
            case 401, 403, 408, 425, 429, 500...: return .retry("HTTP \(status): \(text.prefix(200))")
            default: return .refused(status: status, message: String(text.prefix(200)))
            }
        } catch {
            return .retry("cannot reach \(connection.base): \(error)")
        }
    }
}
