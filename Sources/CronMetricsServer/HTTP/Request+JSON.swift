import CronMetricsCore
import Foundation
import Hummingbird

extension Request {
    /// The one way request bodies are read: at most `limit` bytes (413), with
    /// `Content-Type: application/json`, or any other type (or none) when the
    /// body is a JSON object (415 otherwise).
    ///
    /// Decision: the Go cron-exporter never looked at `Content-Type`, and the
    /// curl lines in its users' crontabs send none, or a form type (`curl -d`
    /// without `-H`). Refusing them would break every host on the switch; a
    /// body that parses as a JSON object is unambiguous, so it is taken.
    func jsonBody(limit: Int) async throws -> Data {
        let declared = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let data = Data(buffer: try await body.collect(upTo: limit))
        guard declared == "application/json" || (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json, or the body a JSON object")
        }
        return data
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
