import CronMetricsCore
import Foundation
import Hummingbird
import Logging

/// Assembles the whole server: runtime, routes, middleware and services.
///
/// - Parameters:
///   - configuration: where to listen, the jobs tree, the database, keys and limits.
///   - logger: the root logger.
///   - now: the clock that decides deadlines (tests move it by hand).
/// - Throws: ``StoreError`` when the database cannot be opened.
public func buildApplication(
    configuration: ServerConfiguration,
    logger: Logger,
    now: @escaping @Sendable () -> Date = Date.init
) async throws -> some ApplicationProtocol {
    let runtime = try await ServerRuntime(configuration: configuration, logger: logger, now: now)
    let router = buildRouter(runtime: runtime)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cronmetrics"),
        services: [
            DatabaseCloser(runtime: runtime, logger: logger),
            DeadlineService(runtime: runtime, logger: logger),
            ReloadSignalService(runtime: runtime, logger: logger),
            WatchService(runtime: runtime, logger: logger),
        ],
        logger: logger)
}

/// The routes: public ones, and admin ones behind ``AdminAuthMiddleware``.
func buildRouter(runtime: ServerRuntime) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    let admin = router.group().add(middleware: AdminAuthMiddleware(keyHashes: runtime.configuration.adminKeyHashes))
    MetricsController(runtime: runtime).addRoutes(to: router)
    ResultController(runtime: runtime).addRoutes(public: router, admin: admin)
    JobController(runtime: runtime).addRoutes(to: admin)
    return router
}
