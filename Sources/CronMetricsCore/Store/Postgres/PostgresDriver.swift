import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import _ConnectionPoolModule

/// PostgreSQL through postgres-nio: a ``PostgresClient`` (its pool of
/// connections) and a thread per connection on which a transaction's body
/// runs, each statement waiting for its answer there, never on the caller's
/// thread. Commits are durable (`synchronous_commit = on`, set at every
/// connection's start with `statement_timeout`).
///
/// The client's `run()` (its ServiceLifecycle service) runs from ``open(_:logger:retryFor:)``
/// to ``close()``: the server reads the store before its service group
/// starts, and the CLI has no group at all.
public final class PostgresDriver: SQLDriver {
    public let settings: PostgresSettings
    public var dialect: SQLDialect { .postgres }
    public var location: String { settings.location }
    /// A transaction waits on round trips more than on the disk: two at once
    /// (while one commits, the next gathers what arrived), leaving the rest of
    /// the pool to readers (the API, the outbox, deadlines). More writers make
    /// smaller batches: on 2 cores with PostgreSQL beside the server, 4 were
    /// slower than 2, and 1 about 15% faster (docs/performance.md); 2 keeps a
    /// remote database's round trips from idling the writer.
    public var writeConcurrency: Int { max(1, min(2, settings.poolSize / 2)) }

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let threads: NIOThreadPool
    private let statements: PreparedStatements
    private let logger: Logger

    /// Connects, retrying with backoff while the server cannot be reached
    /// (down, starting, refusing more connections), and failing at once on
    /// what a retry cannot fix: TLS, authentication, a database that does
    /// not exist.
    /// - Parameter retryFor: how long to keep retrying; nil: until it answers.
    /// - Throws: ``StoreError/open(path:reason:)``.
    public static func open(_ settings: PostgresSettings, logger: Logger, retryFor: Duration? = nil) async throws(StoreError) -> PostgresDriver {
        let tls = try tlsConfiguration(settings)
        let clock = ContinuousClock()
        let deadline = retryFor.map { clock.now + $0 }
        var delay = Duration.milliseconds(250)
        while true {
            do {
                try await probe(settings, tls: tls, logger: logger)
                break
            } catch {
                guard Self.isUnreachable(error) else {
                    throw .open(path: settings.location, reason: Self.explain(error))
                }
                if let deadline, clock.now + delay > deadline {
                    throw .open(path: settings.location, reason: "still unreachable after \(retryFor ?? .zero): \(Self.explain(error))")
                }
                logger.warning("PostgreSQL unreachable; retrying", metadata: [
                    "storage": .string(settings.location), "error": .string(Self.explain(error)), "retry_in": "\(delay)",
                ])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .open(path: settings.location, reason: "stopped while PostgreSQL was unreachable: \(Self.explain(error))")
                }
                delay = min(delay * 2, .seconds(10))
            }
        }
        return PostgresDriver(settings, tls: tls, logger: logger)
    }

    private init(_ settings: PostgresSettings, tls: TLSConfiguration?, logger: Logger) {
        self.settings = settings
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: tls.map { .require($0) } ?? .disable)
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.additionalStartupParameters = Self.startupParameters(settings)
        if let tls, tls.certificateVerification == .fullVerification, !Self.isAddress(settings.host) {
            configuration.options.tlsServerName = settings.host
        }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let client = client
        runner = Task { await client.run() }
        statements = PreparedStatements(poolSize: settings.poolSize)
        threads = NIOThreadPool(numberOfThreads: settings.poolSize)
        threads.start()
    }

    /// A driver dropped without ``close()`` (a test's store, a command
    /// that failed) still stops its client and threads.
    deinit {
        runner.cancel()
        threads.shutdownGracefully { _ in }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        try await transaction(begin: "BEGIN", body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        // One snapshot for every statement of the read.
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func migrate() async throws(StoreError) {
        try await SchemaMigrations.postgres(self)
    }

    public func tableNames() async throws(StoreError) -> [String] {
        try await read { db in
            try db.query("""
                SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'cronmetrics_schema'
                ORDER BY tablename
                """).map { try $0.string("name") }
        }
    }

    public func close() async throws(StoreError) {
        runner.cancel()
        await runner.value
    }

    /// Leases a connection (waiting at most `connectTimeout`) and runs
    /// `body` between `begin` and `COMMIT` on one of the driver's threads.
    /// A transaction PostgreSQL aborted to break a deadlock or a
    /// serialization conflict (40P01, 40001) is run again, twice at most.
    private func transaction<T: Sendable>(begin: String, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        var attempt = 1
        while true {
            do {
                return try await leasedTransaction(begin: begin, body)
            } catch {
                guard attempt < 3, Self.isConflict(error) else { throw Self.storeError(error) }
                attempt += 1
                logger.notice("PostgreSQL aborted a transaction to break a conflict; running it again",
                              metadata: ["error": .string(Self.explain(error)), "attempt": "\(attempt)"])
            }
        }
    }

    /// Lease states: waiting, leased (the body runs), given up (too late: the body never runs).
    private enum Lease { case waiting, leased, givenUp }

    private func leasedTransaction<T: Sendable>(begin: String, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let (client, threads, statements, logger, timeout, location) = (client, threads, statements, logger, settings.connectTimeout, settings.location)
        let answerTimeout = TimeAmount.seconds(settings.statementTimeout.components.seconds + 5)
        let lease = NIOLockedValueBox(Lease.waiting)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    // A connection that comes after the caller was told 503 must
                    // not write: the caller believes nothing was stored.
                    let late = lease.withLockedValue { state -> Bool in
                        guard state == .waiting else { return true }
                        state = .leased
                        return false
                    }
                    if late { throw StoreError.unavailable("no connection to \(location) within \(timeout)") }
                    return try await threads.runIfActive {
                        var runner = PostgresConnectionRunner(connection: connection, statements: statements, logger: logger)
                        runner.answerTimeout = answerTimeout
                        return try runner.transaction(begin: begin, body)
                    }
                }
            }
            group.addTask {
                // A lease that does not come in time is a 503, not a hang;
                // a body that has started is never cancelled.
                try await Task.sleep(for: timeout)
                let givenUp = lease.withLockedValue { state -> Bool in
                    guard state == .waiting else { return false }
                    state = .givenUp
                    return true
                }
                if !givenUp { return nil }
                throw StoreError.unavailable("no connection to \(location) within \(timeout)")
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw StoreError.unavailable("the transaction ended without an answer")
        }
    }

    // MARK: Errors

    /// What a failed statement or connection means to the store: the
    /// database gone, busy or too slow is ``StoreError/unavailable(_:)``.
    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is CancellationError { return .unavailable("cancelled") }
        if isUnreachable(error) { return .unavailable(explain(error)) }
        if let state = serverError(error)?.state,
           state == "57014" || state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("57P") || state.hasPrefix("08") {
            // Statement timeout, serialization failure, out of resources, shutdown, connection failure.
            return .unavailable(explain(error))
        }
        return .query(explain(error))
    }

    /// Whether PostgreSQL aborted the transaction to break a deadlock or a
    /// serialization conflict: running it again is safe and likely to work.
    static func isConflict(_ error: any Error) -> Bool {
        guard let state = serverError(error)?.state else { return false }
        return state == "40P01" || state == "40001"
    }

    /// The SQLSTATE and message of an error PostgreSQL sent. postgres-nio
    /// gives a prepared statement's errors as its older `PostgresError`.
    static func serverError(_ error: any Error) -> (state: String, message: String?)? {
        if let error = error as? PSQLError, error.code == .server, let info = error.serverInfo {
            return (info[.sqlState] ?? "", info[.message])
        }
        if case let .server(message)? = error as? PostgresError {
            return (message.fields[.sqlState] ?? "", message.fields[.message])
        }
        return nil
    }

    /// Whether `error` says the server cannot be reached now (down, starting,
    /// full, the connection lost): worth retrying, unlike a refused password.
    static func isUnreachable(_ error: any Error) -> Bool {
        if error is ConnectionPoolError || error is ChannelError || error is IOError { return true }
        if error is NIOConnectionError { return true }
        if let error = error as? PostgresError {
            switch error {
            case .connectionClosed: return true
            case let .protocol(message): return message == "Unexpected connection close"
            case .server: return isUnreachableState(serverError(error)?.state ?? "")
            }
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            if let underlying = error.underlying, underlying is NIOSSLError || underlying is BoringSSLError { return false }
            return true
        case .server:
            return isUnreachableState(error.serverInfo?[.sqlState] ?? "")
        default:
            return false
        }
    }

    /// cannot_connect_now (starting up, shutting down), too_many_connections, admin shutdown, connection exceptions.
    private static func isUnreachableState(_ state: String) -> Bool {
        state == "57P03" || state == "53300" || state == "57P01" || state == "57P02" || state.hasPrefix("08")
    }

    /// A one-line reason, with the server's own message when it sent one.
    public static func explain(_ error: any Error) -> String {
        if let (state, message) = serverError(error), let message {
            return "\(message) (SQLSTATE \(state.isEmpty ? "?" : state))"
        }
        if let error = error as? PSQLError {
            if let underlying = error.underlying { return "\(error.code): \(explain(underlying))" }
            return "\(error.code)"
        }
        if let error = error as? StoreError { return error.description }
        return String(describing: error)
    }

    // MARK: Connecting

    static func tlsConfiguration(_ settings: PostgresSettings) throws(StoreError) -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.tlsMode {
        case .disable:
            return nil
        case .require:
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let file = settings.caFile {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
                } catch {
                    throw .open(path: settings.location, reason: "storage.tls.ca_file \(file) is not a readable PEM certificate: \(error)")
                }
            }
        }
        return tls
    }

    static func startupParameters(_ settings: PostgresSettings, application: String = "cronmetrics") -> [(String, String)] {
        let milliseconds = settings.statementTimeout.components.seconds * 1000 + settings.statementTimeout.components.attoseconds / 1_000_000_000_000_000
        return [("statement_timeout", String(max(1, milliseconds))), ("synchronous_commit", "on"), ("application_name", application)]
    }

    /// One connection made and closed: the errors a pool would retry in
    /// silence, seen once at start.
    private static func probe(_ settings: PostgresSettings, tls: TLSConfiguration?, logger: Logger) async throws {
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
            tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable)
        configuration.options.connectTimeout = .nanoseconds(Int64(settings.connectTimeout.components.seconds) * 1_000_000_000
            + settings.connectTimeout.components.attoseconds / 1_000_000_000)
        configuration.options.additionalStartupParameters = startupParameters(settings)
        if let tls, tls.certificateVerification == .fullVerification, !isAddress(settings.host) {
            configuration.options.tlsServerName = settings.host
        }
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try? await connection.close()
    }

    static func isAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }
}
