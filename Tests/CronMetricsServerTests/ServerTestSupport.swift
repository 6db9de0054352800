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

/// A temp `jobs.d` and store (a SQLite file, or a PostgreSQL database of
/// its own), and an app built on them.
final class ServerFixture: Sendable {
    let root: String
    let backend: StoreBackend
    let storage: StorageLocation
    let clock = TestClock()
    static let adminKey = "admin-key-for-tests"
    /// The header that authorizes a request with ``adminKey``.
    static let admin: HTTPFields = [.authorization: "Bearer \(adminKey)"]

    /// A logger that prints only critical lines.
    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    init(_ backend: StoreBackend = .sqlite) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cronmetrics-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(root)/jobs.d", withIntermediateDirectories: true)
        self.backend = backend
        storage = try await backend.location(in: root)
    }

    /// A fixture holding these jobs, each written by ``addJob(_:host:threshold:extra:)`` with the same arguments.
    convenience init(_ backend: StoreBackend = .sqlite, jobs names: String..., host: String = "web1", threshold: Int? = 3600,
                     extra: String = "") async throws {
        try await self.init(backend)
        for name in names { try addJob(name, host: host, threshold: threshold, extra: extra) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    var jobsDir: String { "\(root)/jobs.d" }

    /// Writes a job file whose key is `key-<name>` (no threshold when nil: give a schedule in `extra`).
    func addJob(_ name: String, host: String = "web1", threshold: Int? = 3600, extra: String = "") throws {
        let text = """
            version: 1
            job_name: \(name)
            host: \(host)
            \(threshold.map { "automatic_failure_threshold: \($0)" } ?? "")
            api_key_sha256: \(APIKeyHash.sha256Hex(of: "key-\(name)"))
            \(extra)
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(jobsDir)/\(name)@\(host).yaml"))
    }

    /// The app on this fixture's tree and database; `adjust` changes the
    /// configuration first (polling, redaction …).
    func app(logger: Logger? = nil, _ adjust: (inout ServerConfiguration) throws -> Void = { _ in }) async throws -> some ApplicationProtocol {
        let clock = clock
        return try await buildApplication(configuration: try configuration(adjust), logger: logger ?? Self.quietLogger, now: { clock.now })
    }

    /// The configuration tests start from: this fixture's tree and database,
    /// an admin key, no watcher (it would race the test's own /-/reload calls).
    func configuration(_ adjust: (inout ServerConfiguration) throws -> Void = { _ in }) rethrows -> ServerConfiguration {
        var configuration = ServerConfiguration()
        (configuration.port, configuration.jobsDirectory, configuration.storage) = (0, jobsDir, storage)
        (configuration.adminKeyHashes, configuration.jobsWatch) = ([APIKeyHash.sha256Hex(of: Self.adminKey)], .off)
        try adjust(&configuration)
        return configuration
    }

    /// The server's pieces on this fixture, so a test can drive a service by hand.
    func components(_ adjust: (inout ServerConfiguration) throws -> Void = { _ in }) async throws -> ServerComponents {
        let clock = clock
        return try await ServerComponents(configuration: try configuration(adjust), logger: Self.quietLogger, now: { clock.now })
    }

    /// The deadline service of `components`, for ticks by hand.
    func deadlineService(_ components: ServerComponents) -> DeadlineService {
        DeadlineService(state: components.state, database: components.database, interval: .seconds(1),
                        now: components.now, logger: Self.quietLogger)
    }

    /// Runs statements on the fixture's store, on either backend, as another
    /// process would (one transaction).
    func execute(_ statements: String...) async throws {
        let store = try await StateStore.open(storage, logger: Self.quietLogger)
        try await store.driver.write { db in
            for statement in statements { try db.execute(statement) }
        }
        try await store.close()
    }

    /// The rows `sql` selects from the fixture's store, each as its values
    /// joined by `|` (numbers as Swift prints them).
    func rows(_ sql: String) async throws -> [String] {
        let store = try await StateStore.open(storage, logger: Self.quietLogger)
        let rows = try await store.driver.read { db in
            try db.query(sql).map { row in
                row.values.map { value -> String in
                    switch value {
                    case .null, .typedNull: ""
                    case let .integer(number): String(number)
                    case let .real(number): String(number)
                    case let .text(text): text
                    }
                }.joined(separator: "|")
            }
        }
        try await store.close()
        return rows
    }

    /// The rows `sql` selects from the fixture's SQLite file (sqlite3's `|`-separated lines).
    func sqliteRows(_ sql: String) throws -> [String] {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["\(root)/cronmetrics.db", sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 failed on: \(sql)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Runs SQL on the fixture's database with the sqlite3 tool, as another process would.
    func sqlite(_ sql: String) throws {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["\(root)/cronmetrics.db", sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 failed on: \(sql)")
    }
}

extension TestClientProtocol {
    /// Submits a result with `key`; returns the response status and body.
    @discardableResult
    func submit(_ body: String, key: String?, contentType: String? = "application/json") async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let key { headers[HTTPField.Name("X-API-Key")!] = key }
        return try await execute(uri: "/api/job-result", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    /// The exposition without the `replica` label a server on PostgreSQL
    /// puts on its own metrics (the same assertions hold on both stores);
    /// ``rawMetrics()`` keeps it.
    func metrics() async throws -> String {
        try await rawMetrics().replacing(/replica="[^"]*",?/, with: "").replacing("{}", with: "")
    }

    func rawMetrics() async throws -> String {
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

/// Decodes a reply of our API into its shared model, as the CLI does
/// (`APICoding.decoder`: snake_case keys, RFC 3339 dates).
/// - Throws: ``UndecodableReply``, which shows the text that did not fit.
func decode<Model: Decodable>(_ model: Model.Type, _ text: String) throws -> Model {
    do {
        return try APICoding.decoder.decode(Model.self, from: Data(text.utf8))
    } catch {
        throw UndecodableReply(model: "\(Model.self)", text: text, error: error)
    }
}

/// A reply that is not the model a test expected; a failing test shows the reply.
struct UndecodableReply: Error, CustomStringConvertible {
    var model: String
    var text: String
    var error: any Error

    var description: String { "not a \(model): \(error)\n\(text)" }
}

extension TestClientProtocol {
    /// Sends a request and decodes its reply as `Model` (an API model, or
    /// ``ErrorBody`` for a refusal).
    /// - Returns: the status and the decoded reply.
    func reply<Model: Decodable>(_ model: Model.Type, _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:],
                                 body: String? = nil) async throws -> (HTTPResponse.Status, Model) {
        let (status, text) = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body))
        }
        return (status, try decode(Model.self, text))
    }

    /// `POST /-/reload` with the admin key: the tree read again, as SIGHUP does.
    /// - Returns: the status.
    func reload() async throws -> HTTPResponse.Status {
        try await execute(uri: "/-/reload", method: .post, headers: ServerFixture.admin) { $0.status }
    }

    /// A job's stored results with the admin key (`query` as `?limit=3`).
    func history(_ id: String, _ query: String = "") async throws -> HistoryPage {
        try await reply(HistoryPage.self, .get, "/api/job/\(id)/results\(query)", headers: ServerFixture.admin).1
    }
}

extension TestClientProtocol {
    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(5), _ condition: (Self) async throws -> Bool) async throws -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try await condition(self) { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await condition(self)
    }
}

/// A logger whose lines the test can read.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        let handler = LogFormatter(label: "test", level: .debug, format: .text) { [self] line in
            self.lines.withLock { $0.append(line) }
        }
        return Logger(label: "test", factory: { _ in handler })
    }

    func contains(_ text: String) -> Bool {
        lines.withLock { $0.contains { $0.contains(text) } }
    }

    var all: [String] {
        lines.withLock { $0 }
    }
}
