import CronMetricsCore
import Foundation
import Hummingbird

/// `GET /badge/{badge_key}/{selector}.svg|.json|.shields`: a status badge for
/// a README or a wiki, without an admin key. The selector is a job id
/// (`backup@db1`), a label (`team=infra`) or `all`. The badge key is a secret
/// of its own (`dashboard.badge_key`): a wrong one, no key configured, or a
/// selector that matches no job all answer 404, alike.
struct BadgeController {
    let registry: JobRegistry
    let settings: RuntimeSettings
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/badge/{key}/{file}") { request, context in try await badge(request, context: context) }
    }

    func badge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let notFound = APIError(.notFound, "no such badge")
        guard let expected = settings.badgeKeyHash, let key = context.parameters.get("key"),
              APIKeyHash.sha256Hex(of: key) == expected, let file = context.parameters.get("file"),
              let dot = file.lastIndex(of: ".") else { throw notFound }
        let selector = String(file[..<dot]), format = String(file[file.index(after: dot)...])
        guard ["svg", "json", "shields"].contains(format) else { throw notFound }
        var filter = JobFilter()
        var single: JobID?
        if selector == "all" {
        } else if let id = JobID(selector) {
            single = id
        } else if let labels = try? JobFilter.labels([selector]), !labels.isEmpty {
            filter.labels = labels
        } else {
            throw notFound
        }
        var records = await registry.records(filter)
        if let single { records = records.filter { $0.id == single.description } }
        guard !records.isEmpty else { throw notFound }
        let state = BadgeState(records, now: now())
        let label = selector == "all" ? "cron" : selector
        var headers: HTTPFields = [.cacheControl: "no-cache, max-age=0"]
        let body: String
        switch format {
        case "svg":
            headers[.contentType] = "image/svg+xml"
            body = state.svg(label: label)
        case "json":
            headers[.contentType] = "application/json"
            body = String(decoding: try APICoding.encoder.encode(state.json), as: UTF8.self)
        default:
            headers[.contentType] = "application/json"
            body = String(decoding: try APICoding.encoder.encode(state.shields(label: label)), as: UTF8.self)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
