import CronMetricsCore
import Foundation
import Logging
import PostgresNIO

/// The two stores every store test runs on (`@Test(arguments: StoreBackend.allCases)`).
///
/// PostgreSQL comes from the cluster the test command starts
/// (scripts/testing/postgres.sh sets `PG_TEST_URL`): each test gets a
/// database of its own, copied from the empty `cronmetrics_template`. Without
/// the cluster a PostgreSQL test fails; it is never skipped.
public enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// The cluster's URL, or a failure saying how to start it.
    public static func clusterURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PG_TEST_URL"], !url.isEmpty else {
            throw StoreBackendError("PostgreSQL tests need a cluster: run scripts/test.sh, or `source scripts/testing/postgres.sh; pg_test_start` first (sets PG_TEST_URL)")
        }
        return url
    }

    /// A new, empty store location for one test: a file in `directory`, or
    /// a new PostgreSQL database.
    public func location(in directory: String) async throws -> StorageLocation {
        switch self {
        case .sqlite:
            return .sqlite(path: "\(directory)/cronmetrics.db")
        case .postgres:
            var settings = try PostgresSettings(url: try Self.clusterURL())
            settings.tlsMode = .disable
            settings.poolSize = 3
            // The suite runs hundreds of tests at once on a few cores: a pooled
            // connection may take seconds to come. A wait, not a speed check.
            settings.connectTimeout = .seconds(30)
            settings.database = try await Self.createDatabase(settings)
            return .postgres(settings)
        }
    }

    /// A new store, migrated, for one test.
    public func open(in directory: String) async throws -> StateStore {
        try await StateStore.open(try await location(in: directory), logger: Self.quietLogger, retryFor: .seconds(5))
    }

    public static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// `CREATE DATABASE t_… TEMPLATE cronmetrics_template`, on the cluster's `postgres` database.
    static func createDatabase(_ settings: PostgresSettings) async throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(settings) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE cronmetrics_template"), logger: quietLogger)
        }
        return name
    }

    /// Runs `body` on a plain connection to the cluster's `postgres` database.
    public static func admin<T>(_ settings: PostgresSettings, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                             password: nil, database: "postgres", tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public struct StoreBackendError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension StateStore {
    /// Runs `body` with a new store on `backend`, closed afterwards.
    public static func with<T>(_ backend: StoreBackend, in directory: String,
                               _ body: (StateStore) async throws -> T) async throws -> T {
        let store = try await backend.open(in: directory)
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }
}

extension StorageLocation {
    /// The flags that name this store to the CLI (`--database` or `--storage-url`).
    public var cliArguments: [String] {
        switch self {
        case let .sqlite(path): ["--database", path]
        case let .postgres(settings): ["--storage-url", settings.location]
        }
    }

    /// The environment the CLI needs besides (the test cluster speaks plain TCP on loopback).
    public var cliEnvironment: [String: String] {
        switch self {
        case .sqlite: [:]
        case .postgres: ["CRONMETRICS_STORAGE_TLS_MODE": "disable"]
        }
    }
}
