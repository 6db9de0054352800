import CronMetricsCore
import Foundation
import Hummingbird

/// `GET /health`: liveness for everyone, `ok` as plain text, or JSON
/// (`status`, `version`, `timestamp`) when the client accepts JSON, as the Go
/// cron-exporter answered; admin and read-only keys also get the job count,
/// the last reload's outcome (whose errors name files and quote their
/// values), this replica, the leader and the replicas sharing the store,
/// always as JSON.
///
/// `GET /ready`: 200 once the catalog is loaded while the store answers,
/// 503 otherwise (a load balancer's check; `/health` stays liveness).
struct HealthController {
    let state: LiveState, metrics: ServerMetrics, database: StateStore
    /// This replica's name and the leader's; whether replicas share the store (PostgreSQL).
    let leadership: Leadership, replicated: Bool
    let keys: @Sendable () -> AccessKeys, now: @Sendable () -> Date

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { request, context -> Response in
            let admin = AdminAuthMiddleware.mayRead(request, keys: keys())
            guard admin || Self.acceptsJSON(request) else {
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            }
            return try context.responseEncoder.encode(await health(admin: admin), from: request, context: context)
        }
        router.get("/ready") { _, _ -> Response in
            let reason: String? = metrics.lastReload.lastSuccess == nil ? "the jobs are not loaded yet"
                : metrics.isStoreUp ? nil : "the store does not answer"
            return Response(status: reason == nil ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: (reason ?? "ready") + "\n")))
        }
    }

    /// Whether `Accept` names JSON (`*/*`, as curl sends, does not).
    static func acceptsJSON(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("application/json") }
    }

    func health(admin: Bool) async -> HealthReport {
        guard admin else { return HealthReport(timestamp: now()) }
        let reload = metrics.lastReload
        var report = HealthReport(timestamp: now(), jobs: state.count, lastReload: .init(
            successful: reload.successful, at: reload.lastAttempt, lastSuccess: reload.lastSuccess,
            configHash: reload.configHash, errors: reload.errors))
        report.replica = leadership.replicaName
        report.storeUp = metrics.isStoreUp
        report.leader = leadership.leaderName
        guard replicated, metrics.isStoreUp, let rows = try? await database.replicas() else { return report }
        // Replicas not heard from for a minute are gone (their rows stay a day).
        let recent = rows.filter { $0.heartbeatAt > now().addingTimeInterval(-60) }
        report.replicas = recent.map {
            .init(name: $0.name, version: $0.version, treeDigest: $0.treeDigest, heartbeatAt: $0.heartbeatAt, leader: $0.isLeader,
                  sameTree: $0.treeDigest == reload.configHash)
        }
        report.leader = recent.first(where: \.isLeader)?.name ?? report.leader
        report.treesAgree = Set(recent.map(\.treeDigest)).count <= 1
        return report
    }
}
