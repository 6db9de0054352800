import CompressNIO
import CronMetricsCore
import Foundation
import Hummingbird

/// `GET /metrics` and `GET /health`.
struct MetricsController {
    let runtime: ServerRuntime

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics") { request, _ in
            metrics(request)
        }
        router.get("/health") { request, _ in
            health(request)
        }
    }

    func metrics(_ request: Request) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(runtime.state.count * 800 + 4096)
        runtime.state.renderJobMetrics(now: runtime.now(), into: &buffer)
        var own: [UInt8] = []
        runtime.metrics.render(into: &own)
        buffer.writeBytes(own)
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

    /// Public: liveness only. With an admin key: the job count and the last
    /// reload's outcome, whose errors name files and quote their values.
    func health(_ request: Request) -> Response {
        guard AdminAuthMiddleware.isAdmin(request, keyHashes: runtime.configuration.adminKeyHashes) else {
            return JSONBody.response(status: .ok, HealthBody(status: "ok"))
        }
        let reload = runtime.metrics.lastReload
        return JSONBody.response(status: .ok, HealthBody(
            status: "ok", jobs: runtime.state.count,
            lastReload: .init(successful: reload.successful, at: reload.lastAttempt, lastSuccess: reload.lastSuccess,
                              configHash: reload.configHash, errors: reload.errors)))
    }
}

struct HealthBody: Encodable {
    struct Reload: Encodable {
        var successful: Bool
        var at: Date?
        var lastSuccess: Date?
        var configHash: String
        var errors: [String]

        enum CodingKeys: String, CodingKey {
            case successful, at, errors
            case lastSuccess = "last_success"
            case configHash = "config_hash"
        }
    }

    var status: String
    var jobs: Int?
    var lastReload: Reload?

    enum CodingKeys: String, CodingKey {
        case status, jobs
        case lastReload = "last_reload"
    }
}

extension ByteBuffer: MetricsSink {
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        writeBytes(bytes)
    }
}
