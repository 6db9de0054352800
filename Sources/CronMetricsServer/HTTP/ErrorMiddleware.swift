import Hummingbird

/// Turns every error a route throws into its JSON error response (see
/// ``APIError/init(_:)``), inside the middleware that adds the request id.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError(error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": .string(LoggedPath.masked(request.uri.path)), "error": .string("\(error)")])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
