import CompressNIO
import CronMetricsCore
import Foundation
import Hummingbird
import Synchronization

/// `GET /metrics`: the live state's prepared series, then the server's own
/// metrics; gzip when the scraper asks for it.
struct MetricsController {
    let state: LiveState
    /// The server's own families, the notifications', and the SLOs' (counted each minute).
    let metrics: ServerMetrics, notifications: NotificationMetrics, objectives: ObjectiveTracker
    let settings: RuntimeSettings
    let now: @Sendable () -> Date
    /// The last answer's size: the next buffer is made that big at once. A
    /// guess per job that fell short made the buffer grow mid-scrape, copying
    /// it whole (a third slower at 10,000 jobs once one family was added).
    let lastSize = ScrapeSize()

    final class ScrapeSize: Sendable {
        let bytes = Atomic<Int>(0)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics") { request, _ in
            try metrics(request)
        }
    }

    /// `?shard=I/N`: only the jobs of shard I of N (``MetricsShard``); the
    /// server's own families go with shard 0 only, so a set of shards holds
    /// each series once.
    func metrics(_ request: Request) throws -> Response {
        var shard: MetricsShard?
        if let text = request.uri.queryParameters["shard"] {
            guard let parsed = MetricsShard(text) else {
                throw APIError(.badRequest, "shard must be I/N with 0 <= I < N <= \(MetricsShard.maximumCount) (got \"\(text)\")",
                               field: "shard")
            }
            shard = parsed
        }
        var buffer = ByteBuffer()
        let last = lastSize.bytes.load(ordering: .relaxed)
        if shard == nil { buffer.reserveCapacity(max(state.count * 800, last + last / 16) + 4096) }
        state.renderJobMetrics(now: now(), shard: shard, into: &buffer)
        buffer.writeBytes(objectives.rendered { shard?.contains($0) ?? true })
        if shard.map({ $0.index == 0 }) ?? true {
            var own: [UInt8] = []
            metrics.render(into: &own)
            notifications.render(channels: Array(settings.notifications.channels.keys), into: &own)
            // Job series are the same on every replica; its own are told apart by name.
            if let replica = metrics.replicaName { own = PrometheusText.labeled(own, name: "replica", value: replica) }
            buffer.writeBytes(own)
        }
        if shard == nil { lastSize.bytes.store(buffer.readableBytes, ordering: .relaxed) }
        var headers: HTTPFields = [.contentType: PrometheusText.contentType]
        if Self.acceptsGzip(request.headers[.acceptEncoding]),
           let compressed = try? buffer.compress(with: .gzip(configuration: .init(compressionLevel: .fastestCompression))) {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        headers[.vary] = "Accept-Encoding"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// Whether an `Accept-Encoding` value allows gzip (and does not give it `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first == "gzip" || pieces.first == "*" else { continue }
            let refused = pieces.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").hasPrefix("q=0") && !$0.contains("q=0.") }
            return !refused
        }
        return false
    }
}
