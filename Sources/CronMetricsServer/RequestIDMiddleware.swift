import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Gives every request an id (the client's `X-Request-ID` when it is sane),
/// puts it on the logger and the response, and turns every error into the
/// JSON error body with the right status; never a 500 for bad input.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let header = HTTPField.Name("X-Request-ID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = Self.sanitized(request.headers[Self.header]) ?? Self.newID()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[Self.header] = id
            Self.logExit(context, request, response.status, since: start)
            return response
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            }
            var response = JSONBody.response(status: apiError.status, ErrorBody(error: apiError.message, field: apiError.field, errors: apiError.details.isEmpty ? nil : apiError.details, requestID: id))
            response.headers[Self.header] = id
            if apiError.status == .unauthorized {
                response.headers[.wwwAuthenticate] = "Bearer"
            }
            Self.logExit(context, request, apiError.status, since: start)
            return response
        }
    }

    /// The seed's DEBUG entry/exit line, one per request (skipped unless log.level is debug).
    static func logExit(_ context: Context, _ request: Request, _ status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        context.logger.debug("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "status": "\(status.code)", "duration_ms": "\((ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000)",
        ])
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "request body is too large")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return APIError(.contentTooLarge, "request body is too large")
            case .notFound: return APIError(.notFound, "no such route")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method not allowed on this route")
            default: return APIError(error.status, error.body ?? error.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, "internal error")
        }
    }

    /// Up to 128 of `[A-Za-z0-9._-]`; anything else is replaced, never echoed.
    static func sanitized(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
              value.utf8.allSatisfy({ byte in
                  (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                      || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
              })
        else { return nil }
        return value
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

/// The error body.
struct ErrorBody: Encodable {
    var error: String
    var field: String?
    var errors: [String]?
    var requestID: String

    enum CodingKeys: String, CodingKey {
        case error, field, errors
        case requestID = "request_id"
    }
}

/// JSON responses with sorted keys and ISO 8601 dates.
enum JSONBody {
    static func response(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"cannot encode response\"}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
