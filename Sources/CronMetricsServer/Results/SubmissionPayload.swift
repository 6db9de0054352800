import CronMetricsCore
import Foundation

/// The body of `POST /api/job-result`, decoded strictly: unknown fields and
/// wrong types are errors naming the field.
struct SubmissionPayload: Decodable {
    var jobName: String
    var host: String
    var status: RunStatus?
    var duration: Double?
    var timestamp: String?
    var exitCode: Int?
    var output: String?
    var labels: [String: String]?

    static let fields = ["job_name", "host", "status", "duration", "timestamp", "exit_code", "output", "labels"]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        init(_ name: String) { stringValue = name }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys where !Self.fields.contains(key.stringValue) {
            throw APIError(.unprocessableContent, "unknown field '\(key.stringValue.excerpt)'; known fields are \(Self.fields.joined(separator: ", "))", field: key.stringValue.excerpt)
        }
        func required(_ name: String) throws -> String {
            guard let value = try container.decodeIfPresent(String.self, forKey: Key(name)) else {
                throw APIError(.unprocessableContent, "'\(name)' is required", field: name)
            }
            if let problem = Identifier.problem(value) {
                throw APIError(.unprocessableContent, "'\(name)' \(problem)", field: name)
            }
            return value
        }
        jobName = try required("job_name")
        host = try required("host")
        if let text = try container.decodeIfPresent(String.self, forKey: Key("status")) {
            guard let status = RunStatus(rawValue: text) else {
                throw APIError(.unprocessableContent, "'status' must be success or failure (got \"\(text.excerpt)\")", field: "status")
            }
            self.status = status
        }
        if let number = try container.decodeIfPresent(Double.self, forKey: Key("exit_code")) {
            guard number == number.rounded(), abs(number) <= Double(Int32.max) else {
                throw APIError(.unprocessableContent, "'exit_code' must be an integer", field: "exit_code")
            }
            exitCode = Int(number)
        }
        if status == nil, exitCode == nil {
            throw APIError(.unprocessableContent, "'status' is required unless 'exit_code' is given (0 means success)", field: "status")
        }
        duration = try container.decodeIfPresent(Double.self, forKey: Key("duration"))
        if let duration, !(duration.isFinite && duration >= 0 && duration <= Double(Threshold.maximumSeconds)) {
            throw APIError(.unprocessableContent, "'duration' must be a number of seconds from 0 to \(Threshold.maximumSeconds)", field: "duration")
        }
        timestamp = try container.decodeIfPresent(String.self, forKey: Key("timestamp"))
        output = try container.decodeIfPresent(String.self, forKey: Key("output"))
        labels = try container.decodeIfPresent([String: String].self, forKey: Key("labels"))
    }

    /// Plain keys (not the API's snake_case conversion): the fields are named as sent.
    private static let decoder = JSONDecoder()

    /// Decodes `data`, mapping every decoding failure to a 400 (not JSON) or a
    /// 422 naming the field.
    static func decode(_ data: Data) throws(APIError) -> SubmissionPayload {
        do {
            return try decoder.decode(SubmissionPayload.self, from: data)
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
