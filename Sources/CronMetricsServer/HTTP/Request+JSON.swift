import CronMetricsCore
import Foundation
import Hummingbird

extension Request {
    /// The one way request bodies are read: `Content-Type: application/json`
    /// (415 otherwise), at most `limit` bytes (413), JSON (400).
    func jsonBody(limit: Int) async throws -> Data {
        guard let contentType = headers[.contentType],
              contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
        else { throw APIError(.unsupportedMediaType, "Content-Type must be application/json") }
        return Data(buffer: try await body.collect(upTo: limit))
    }

    /// A body that must be a JSON object, as fields.
    func jsonObject(limit: Int) async throws -> [String: JSONValue] {
        let data = try await jsonBody(limit: limit)
        guard let value = try? APICoding.decoder.decode(JSONValue.self, from: data) else {
            throw APIError(.badRequest, "malformed JSON body")
        }
        guard let object = value.object else { throw APIError(.badRequest, "body must be a JSON object") }
        return object
    }
}
