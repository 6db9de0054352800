import CronMetricsCore
import Foundation
import Hummingbird

/// `GET /health`: liveness for everyone, `ok` as plain text, or JSON
/// (`status`, `version`, `timestamp`) when the client accepts JSON, as the Go
/// cron-exporter answered; admin keys also get the job count and the last
/// reload's outcome (whose errors name files and quote their values), always
/// as JSON.
struct HealthController {
    let state: LiveState
    let metrics: ServerMetrics
    let keys: @Sendable () -> AccessKeys
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { request, context -> Response in
            let admin = AdminAuthMiddleware.mayRead(request, keys: keys())
            guard admin || Self.acceptsJSON(request) else {
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            }
            return try context.responseEncoder.encode(health(admin: admin), from: request, context: context)
        }
    }

    /// Whether `Accept` names JSON (`*/*`, as curl sends, does not).
    static func acceptsJSON(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("application/json") }
    }

    func health(admin: Bool) -> HealthReport {
        guard admin else { return HealthReport(timestamp: now()) }
        let reload = metrics.lastReload
        return HealthReport(timestamp: now(), jobs: state.count, lastReload: .init(
            successful: reload.successful, at: reload.lastAttempt, lastSuccess: reload.lastSuccess,
            configHash: reload.configHash, errors: reload.errors))
    }
}
