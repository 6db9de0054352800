import CronMetricsCore
import Foundation

/// The job definitions of a running server, through its admin API (which
/// writes the files on the server and reloads).
public struct RemoteJobDefinitions: JobDefinitions {
    let client: APIClient

    public init(client: APIClient) {
        self.client = client
    }

    public func list(_ filter: JobFilter) async throws(JobEditError) -> [JobRecord] {
        try await call(nil) { try await client.send(.GET, "/api/job" + APIClient.query(filter.queryItems), as: JobList.self).jobs }
    }

    public func show(_ id: JobID) async throws(JobEditError) -> JobRecord {
        try await call(id) { try await client.send(.GET, "/api/job/\(id)", as: JobRecord.self) }
    }

    public func create(fields: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobWithKey {
        var body = fields
        if let apiKey { body["api_key"] = .string(apiKey) }
        return try await call(nil) { try await client.send(.POST, "/api/job", body: body, as: JobWithKey.self) }
    }

    public func patch(_ id: JobID, _ patch: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobRecord {
        var body = patch
        if let apiKey { body["api_key"] = .string(apiKey) }
        return try await call(id) { try await client.send(.PATCH, "/api/job/\(id)", body: body, as: JobRecord.self) }
    }

    public func delete(_ id: JobID) async throws(JobEditError) -> JobRecord {
        let record = try await show(id)
        _ = try await call(id) { try await client.send(.DELETE, "/api/job/\(id)", as: APIClient.Empty.self) }
        return record
    }

    public func rotateKey(_ id: JobID) async throws(JobEditError) -> JobWithKey {
        try await call(id) { try await client.send(.POST, "/api/job/\(id)/rotate-key", as: JobWithKey.self) }
    }

    /// Runs a call, turning the server's refusals into the errors a local
    /// edit gives, so both modes report alike.
    private func call<T>(_ id: JobID?, _ body: () async throws -> T) async throws(JobEditError) -> T {
        do {
            return try await body()
        } catch let error as JobEditError {
            throw error
        } catch let failure as APIClient.Failure {
            let message = failure.body?.error ?? "HTTP \(failure.status)"
            let details = failure.body?.errors ?? []
            switch failure.status {
            case 401, 403: throw .refused(message)
            case 404: throw id.map(JobEditError.notFound) ?? .unavailable(message)
            case 409: throw .conflict(message)
            case 422 where failure.body?.field == nil && !details.isEmpty: throw .invalidTree(details)
            case 422 where !details.isEmpty:
                throw .invalidJob(details.map { JobFileDiagnostic(path: "body", line: 1, column: 1, field: failure.body?.field, message: $0) })
            case 400, 422: throw .invalidField(field: failure.body?.field ?? "body", message: message)
            default: throw .unavailable(message)
            }
        } catch {
            throw .unavailable("unexpected answer: \(error)")
        }
    }
}
