import CronMetricsCore
import Foundation

/// Strict decoding of the small JSON bodies cron hosts send: unknown fields
/// and wrong types are errors naming the field, never silently dropped.
enum StrictJSON {
    /// Plain keys (not the API's snake_case conversion): the fields are named as sent.
    private static let decoder = JSONDecoder()

    /// Decodes `data`, mapping every decoding failure to a 400 (not JSON) or a
    /// 422 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            let field: String
            let message: String
            switch error {
            case let .typeMismatch(type, context):
                field = context.codingPath.map(\.stringValue).joined(separator: ".")
                message = "'\(field)' must be \(describe(type))"
            case let .valueNotFound(type, context):
                field = context.codingPath.map(\.stringValue).joined(separator: ".")
                message = "'\(field)' must be \(describe(type)), not null"
            case let .dataCorrupted(context):
                field = context.codingPath.map(\.stringValue).joined(separator: ".")
                message = "'\(field)' has a value of the wrong kind"
            case let .keyNotFound(key, context):
                field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
                message = "'\(field)' is required"
            @unknown default:
                throw APIError(.badRequest, "malformed JSON body")
            }
            guard !field.isEmpty else {
                if case .typeMismatch = error { throw APIError(.badRequest, "body must be a JSON object") }
                throw APIError(.badRequest, "malformed JSON body")
            }
            throw APIError(.unprocessableContent, message, field: field)
        } catch {
            throw APIError(.badRequest, "malformed JSON body")
        }
    }

    /// - Throws: 422 naming the first field that is not in `allowed`.
    static func refuseUnknown(_ container: KeyedDecodingContainer<StrictKey>, allowed: [String]) throws(APIError) {
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw APIError(.unprocessableContent, "unknown field '\(key.stringValue.excerpt)'; known fields are \(allowed.joined(separator: ", "))",
                           field: key.stringValue.excerpt)
        }
    }

    /// A required `job_name` or `host`.
    static func identifier(_ name: String, in container: KeyedDecodingContainer<StrictKey>) throws -> String {
        guard let value = try container.decodeIfPresent(String.self, forKey: StrictKey(name)) else {
            throw APIError(.unprocessableContent, "'\(name)' is required", field: name)
        }
        if let problem = Identifier.problem(value) {
            throw APIError(.unprocessableContent, "'\(name)' \(problem)", field: name)
        }
        return value
    }

    /// An optional `run_id`.
    static func runID(in container: KeyedDecodingContainer<StrictKey>) throws -> String? {
        guard let value = try container.decodeIfPresent(String.self, forKey: StrictKey("run_id")) else { return nil }
        guard RunIdentifier.isValid(value) else {
            throw APIError(.unprocessableContent, "'run_id' must be 1 to 128 of A-Z a-z 0-9 . _ : - (a UUID will do)", field: "run_id")
        }
        return value
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is [String: String].Type, is [String: Any].Type: return "an object of strings"
        default: return "of type \(type)"
        }
    }
}

/// A field name of a JSON body, as sent.
struct StrictKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(_ name: String) { stringValue = name }
}
