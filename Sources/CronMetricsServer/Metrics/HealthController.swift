import CronMetricsCore
import Hummingbird

/// `GET /health`: liveness for everyone; the job count and the last reload's
/// outcome (whose errors name files and quote their values) for admin keys.
struct HealthController {
    let state: LiveState
    let metrics: ServerMetrics
    let adminKeyHashes: @Sendable () -> Set<String>

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { request, _ in
            health(request)
        }
    }

    func health(_ request: Request) -> HealthReport {
        guard AdminAuthMiddleware.isAdmin(request, keyHashes: adminKeyHashes()) else { return HealthReport() }
        let reload = metrics.lastReload
        return HealthReport(jobs: state.count, lastReload: .init(
            successful: reload.successful, at: reload.lastAttempt, lastSuccess: reload.lastSuccess,
            configHash: reload.configHash, errors: reload.errors))
    }
}
