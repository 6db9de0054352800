import CronMetricsCore
import Hummingbird

/// Guards admin routes: `Authorization: Bearer <key>`, checked by looking its
/// SHA-256 up in a set (the same work for every key, no byte comparison).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// The hashes in force now (a reload of the configuration changes them).
    let keyHashes: @Sendable () -> Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let keyHashes = self.keyHashes()
        guard !keyHashes.isEmpty else {
            throw APIError(.unauthorized, "no admin keys are configured; set CRONMETRICS_SECURITY_ADMIN_API_KEYS")
        }
        guard let key = Self.bearer(request) else {
            throw APIError(.unauthorized, "missing Authorization: Bearer <admin key>")
        }
        guard keyHashes.contains(APIKeyHash.sha256Hex(of: key)) else {
            context.logger.warning("admin request refused: unknown key")
            throw APIError(.unauthorized, "unknown admin key")
        }
        return try await next(request, context)
    }

    /// The key of an `Authorization: Bearer <key>` header, if there is one.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        return header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
    }

    /// Whether the request carries a valid admin key (for routes that are
    /// public but show more to admins).
    static func isAdmin(_ request: Request, keyHashes: Set<String>) -> Bool {
        guard let key = bearer(request) else { return false }
        return keyHashes.contains(APIKeyHash.sha256Hex(of: key))
    }
}
