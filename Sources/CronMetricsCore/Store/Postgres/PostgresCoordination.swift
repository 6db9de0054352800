import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One replica's own connection to PostgreSQL, apart from the pool: it holds
/// the leader's advisory lock, listens for changes of job state
/// (``StateStore/stateChannel``) and writes the replica's heartbeat.
///
/// A session advisory lock lives exactly as long as the session, so the
/// connection is what leadership hangs on: when it closes, the replica stops
/// leading at once (``onClose(_:)``), and PostgreSQL releases the lock when
/// the session ends. TCP keepalives on both ends (the socket's options here,
/// the session's `tcp_keepalives_*` on the server) end a session cut off by a
/// partition within about 11 s, so a partitioned leader's lock is released.
public final class PostgresCoordination: Sendable {
    private let connection: PostgresConnection
    private let logger: Logger
    /// The server process of this session (`pg_locks.pid`).
    public let backendPID: Int

    /// The leader's lock (the two-integer form: `pg_locks` shows `classid`
    /// 0x63726F6E, "cron", `objid` 1, `objsubid` 2).
    static let leaderLock = (Int32(0x6372_6F6E), Int32(1))

    /// Keepalive probes start after 5 s of silence, every 2 s, 3 unanswered end it.
    static let keepalive = (idle: 5, interval: 2, count: 3)

    private init(connection: PostgresConnection, backendPID: Int, logger: Logger) {
        self.connection = connection
        self.backendPID = backendPID
        self.logger = logger
    }

    /// Makes the connection.
    /// - Throws: what connecting threw (the caller retries).
    public static func connect(_ settings: PostgresSettings, logger: Logger) async throws -> PostgresCoordination {
        let tls = try PostgresDriver.tlsConfiguration(settings)
        let timeout = TimeAmount.nanoseconds(Int64(settings.connectTimeout.components.seconds) * 1_000_000_000
            + settings.connectTimeout.components.attoseconds / 1_000_000_000)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.Types.SocketOption(level: IPPROTO_TCP, name: TCP_KEEPIDLE), value: SocketOptionValue(keepalive.idle))
            .channelOption(ChannelOptions.Types.SocketOption(level: IPPROTO_TCP, name: TCP_KEEPINTVL), value: SocketOptionValue(keepalive.interval))
            .channelOption(ChannelOptions.Types.SocketOption(level: IPPROTO_TCP, name: TCP_KEEPCNT), value: SocketOptionValue(keepalive.count))
            .connect(host: settings.host, port: settings.port).get()
        var configuration = PostgresConnection.Configuration(
            establishedChannel: channel, tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable,
            username: settings.user, password: settings.password, database: settings.database)
        configuration.options.additionalStartupParameters = PostgresDriver.startupParameters(settings, application: "cronmetrics-coordination") + [
            ("tcp_keepalives_idle", String(keepalive.idle)), ("tcp_keepalives_interval", String(keepalive.interval)),
            ("tcp_keepalives_count", String(keepalive.count)),
        ]
        if let tls, tls.certificateVerification == .fullVerification, !PostgresDriver.isAddress(settings.host) {
            configuration.options.tlsServerName = settings.host
        }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: channel.eventLoop, configuration: configuration, id: 1, logger: logger)
        } catch {
            try? await channel.close()
            throw error
        }
        do {
            var pid = 0
            for try await (value) in try await connection.query("SELECT pg_backend_pid()::int8", logger: logger).decode(Int64.self) {
                pid = Int(value)
            }
            return PostgresCoordination(connection: connection, backendPID: pid, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Calls `body` once, when the connection closes (for any reason).
    public func onClose(_ body: @escaping @Sendable () -> Void) {
        connection.closeFuture.whenComplete { _ in body() }
    }

    public var isClosed: Bool { connection.isClosed }

    /// Takes the leader's lock if no session holds it; true if this one does
    /// now. Call it only while not leading (the lock counts re-takes).
    public func tryLeading() async throws -> Bool {
        let (a, b) = Self.leaderLock
        for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(a), \(b))", logger: logger).decode(Bool.self) {
            return value
        }
        return false
    }

    /// Writes this replica's row of `replicas` (its heartbeat), and clears
    /// rows not heard from in a day (replicas long gone).
    public func heartbeat(name: String, version: String, treeDigest: String?, startedAt: Date, now: Date) async throws {
        let pid = Int64(backendPID), at = now.timeIntervalSince1970, started = startedAt.timeIntervalSince1970
        try await connection.query("""
            INSERT INTO replicas (name, version, tree_digest, started_at, heartbeat_at, backend_pid)
            VALUES (\(name), \(version), \(treeDigest), \(started), \(at), \(pid)::int4)
            ON CONFLICT (name) DO UPDATE SET version = excluded.version, tree_digest = excluded.tree_digest,
                started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, backend_pid = excluded.backend_pid
            """, logger: logger)
        try await connection.query("DELETE FROM replicas WHERE heartbeat_at < \(at - 86_400)", logger: logger)
    }

    /// The name of the replica whose session holds the leader's lock now, if any.
    public func leaderName() async throws -> String? {
        let (a, b) = Self.leaderLock
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT r.name FROM replicas r JOIN pg_locks l ON l.pid = r.backend_pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(a) AND l.objid = \(b) AND l.objsubid = 2
            """), logger: logger)
        for try await name in rows.decode(String.self) { return name }
        return nil
    }

    /// The ids of jobs whose state other transactions committed, a batch
    /// per notification, until the connection fails (the stream then throws).
    public func stateChanges() async throws -> AsyncThrowingStream<[JobID], any Error> {
        let notifications = try await connection.listen(StateStore.stateChannel)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await notification in notifications {
                        continuation.yield(notification.payload.split(separator: "\n").compactMap { JobID(String($0)) })
                    }
                    continuation.finish(throwing: StoreError.unavailable("the notification connection closed"))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func close() async {
        try? await connection.close()
    }
}

extension StateStore {
    /// What the store knows of the replicas sharing it (PostgreSQL only).
    public struct ReplicaRow: Sendable, Equatable {
        public var name: String
        public var version: String
        public var treeDigest: String?
        public var startedAt: Date
        public var heartbeatAt: Date
        /// Holds the leader's lock now (PostgreSQL's own lock table says so).
        public var isLeader: Bool
    }

    /// Asks the database a trivial question (throws when it does not answer).
    public func probe() async throws(StoreError) {
        _ = try await reading { db in try db.query("SELECT 1 AS one") }
    }

    /// Every replica's row, by name; empty on SQLite.
    public func replicas() async throws(StoreError) -> [ReplicaRow] {
        guard driver.dialect == .postgres else { return [] }
        let (a, b) = PostgresCoordination.leaderLock
        return try await reading { db in
            try db.query("""
                SELECT r.name, r.version, r.tree_digest, r.started_at, r.heartbeat_at,
                    CASE WHEN EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = r.backend_pid AND l.locktype = 'advisory' AND l.granted
                            AND l.classid = \(a) AND l.objid = \(b) AND l.objsubid = 2) THEN 1 ELSE 0 END AS leader
                FROM replicas r ORDER BY r.name
                """, table: "replicas").map { row in
                ReplicaRow(name: try row.string("name"), version: try row.string("version"), treeDigest: try row.optionalString("tree_digest"),
                           startedAt: try row.date("started_at"), heartbeatAt: try row.date("heartbeat_at"), isLeader: try row.int("leader") == 1)
            }
        }
    }
}
