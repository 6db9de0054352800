import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import CronMetricsServer

/// A temp `jobs.d` and database, and an app built on them.
final class ServerFixture: Sendable {
    let root: String
    let clock = TestClock()
    static let adminKey = "admin-key-for-tests"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cronmetrics-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(root)/jobs.d", withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    var jobsDir: String { "\(root)/jobs.d" }

    /// Writes a job file whose key is `key-<name>`.
    func addJob(_ name: String, host: String = "web1", threshold: Int = 3600, extra: String = "") throws {
        let text = """
            version: 1
            job_name: \(name)
            host: \(host)
            automatic_failure_threshold: \(threshold)
            api_key_sha256: \(APIKeyHash.sha256Hex(of: "key-\(name)"))
            \(extra)
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(jobsDir)/\(name)@\(host).yaml"))
    }

    /// The app on this fixture's tree and database; `adjust` changes the
    /// configuration first (polling, redaction …).
    func app(_ adjust: (inout ServerConfiguration) throws -> Void = { _ in }) async throws -> some ApplicationProtocol {
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, jobsDirectory: jobsDir, databasePath: "\(root)/cronmetrics.db",
            adminKeyHashes: [APIKeyHash.sha256Hex(of: Self.adminKey)])
        try adjust(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let clock = clock
        return try await buildApplication(configuration: configuration, logger: logger, now: { clock.now })
    }
}

extension TestClientProtocol {
    /// Submits a result with `key`; returns the response status and body.
    @discardableResult
    func submit(_ body: String, key: String?, contentType: String = "application/json") async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [.contentType: contentType]
        if let key { headers[HTTPField.Name("X-API-Key")!] = key }
        return try await execute(uri: "/api/job-result", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func metrics() async throws -> String {
        try await execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
    }

    /// The `cronjob_status` line of one job, or nil.
    func statusLine(_ name: String, host: String = "web1") async throws -> String? {
        try await metrics().split(separator: "\n").first {
            $0.hasPrefix("cronjob_status{job_name=\"\(name)\",host=\"\(host)\"")
        }.map(String.init)
    }

    /// The value of `metric{job_name="name",host="host"}`, or nil.
    func value(_ metric: String, _ name: String, host: String = "web1") async throws -> String? {
        let prefix = "\(metric){job_name=\"\(name)\",host=\"\(host)\"} "
        return try await metrics().split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}

func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
}
