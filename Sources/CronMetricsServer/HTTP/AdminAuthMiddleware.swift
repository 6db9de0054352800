import CronMetricsCore
import Hummingbird

/// Guards admin routes: `Authorization: Bearer <key>`, or `X-API-Key: <key>`
/// as the Go cron-exporter accepted it, checked by looking its SHA-256 up in a
/// set (the same work for every key, no byte comparison). Admin keys may do
/// everything; read-only keys (`security.read_api_keys`) every GET and HEAD,
/// and get 403 on anything else.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// The keys in force now (a reload of the configuration changes them).
    let keys: @Sendable () -> AccessKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let keys = self.keys()
        guard !keys.isEmpty else {
            throw APIError(.unauthorized, "no admin keys are configured; set CRONMETRICS_SECURITY_ADMIN_API_KEYS")
        }
        guard let key = Self.key(request) else {
            throw APIError(.unauthorized, "missing admin key: send Authorization: Bearer <admin key> (or X-API-Key)")
        }
        var context = context
        let holder = keys.identify(key)
        context.keyHolder = holder.map { ($0.name, $0.access == .admin ? "admin" : "read") }
        switch holder?.access {
        case .admin?:
            break
        case .read?:
            guard request.method == .get || request.method == .head else {
                context.logger.warning("write refused: read-only key", metadata: ["method": .string(request.method.rawValue)])
                throw APIError(.forbidden, "a read-only key may only read (GET); this needs an admin key")
            }
        case nil:
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

    /// Whether the request carries an admin or read-only key (for routes
    /// that are public but show more to those who may read everything).
    static func mayRead(_ request: Request, keys: AccessKeys) -> Bool {
        guard let key = key(request) else { return false }
        return keys.access(key) != nil
    }
}
