import CronMetricsCore
import Hummingbird

/// Guards admin routes: `Authorization: Bearer <key>`, or `X-API-Key: <key>`
/// as the Go cron-exporter accepted it, checked by looking its SHA-256 up in a
/// set (the same work for every key, no byte comparison).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// The hashes in force now (a reload of the configuration changes them).
    let keyHashes: @Sendable () -> Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let keyHashes = self.keyHashes()
        guard !keyHashes.isEmpty else {
            throw APIError(.unauthorized, "no admin keys are configured; set CRONMETRICS_SECURITY_ADMIN_API_KEYS")
        }
        guard let key = Self.key(request) else {
            throw APIError(.unauthorized, "missing admin key: send Authorization: Bearer <admin key> (or X-API-Key)")
        }
        guard keyHashes.contains(APIKeyHash.sha256Hex(of: key)) else {
            context.logger.warning("admin request refused: unknown key")
            throw APIError(.unauthorized, "unknown admin key")
        }
        return try await next(request, context)
    }

    /// The key of an `Authorization: Bearer <key>` header, else of an
    /// `X-API-Key` header, if there is one.
    static func key(_ request: Request) -> String? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        }
        guard let header = request.headers[ResultController.apiKeyHeader], !header.isEmpty else { return nil }
        return header
    }

    /// Whether the request carries a valid admin key (for routes that are
    /// public but show more to admins).
    static func isAdmin(_ request: Request, keyHashes: Set<String>) -> Bool {
        guard let key = key(request) else { return false }
        return keyHashes.contains(APIKeyHash.sha256Hex(of: key))
    }
}
