import Hummingbird

/// The seed's DEBUG exit line, one per request: method, path, status and
/// duration (skipped unless `log.level` is debug).
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        context.logger.debug("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(LoggedPath.masked(request.uri.path)),
            "status": "\(response.status.code)",
            "duration_ms": "\((ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000)",
        ])
        return response
    }
}
