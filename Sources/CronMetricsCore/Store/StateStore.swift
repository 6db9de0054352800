import Foundation
import Logging

/// Everything cronmetrics keeps besides the job files: the reconciled job
/// table, every submitted result and run, each job's state, and the
/// notification outbox. Deleting it loses history, never configuration.
///
/// The store's rules (how a result folds into a job's state, which run it
/// closes, what the outbox gets, what retention deletes) are written once,
/// here and in its extensions, as statements over a ``SQLConnection``; the
/// database under them is a ``SQLDriver``: SQLite (the embedded default,
/// ``SQLiteDriver``) or PostgreSQL (``PostgresDriver``). Only the SQL words
/// that differ come from the driver's ``SQLDialect``.
public struct StateStore: Sendable {
    public let driver: any SQLDriver
    /// Rows that could not be read, reported as they are met.
    public let corruptRows = CorruptRows()

    /// Opens the store on `driver` and brings its schema up to date.
    /// - Throws: ``StoreError``; ``StoreError/newerSchema(_:)`` for a database
    ///   a later cronmetrics migrated.
    public init(driver: any SQLDriver) async throws(StoreError) {
        self.driver = driver
        try await driver.migrate()
    }

    /// Opens (creating if needed) the SQLite database at `path`.
    public init(path: String) async throws(StoreError) {
        try await self.init(driver: try SQLiteDriver(path: path))
    }

    /// Where the data lives, for messages: a file path or a `postgres://` URL
    /// without password.
    public var location: String { driver.location }

    /// Closes the database. Further use throws.
    public func close() async throws(StoreError) {
        try await driver.close()
    }

    /// Runs `body` in one write transaction.
    func writing<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        try await driver.write(body)
    }

    /// Runs `body` on a consistent snapshot.
    func reading<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        try await driver.read(body)
    }

    /// Labels, channel lists: JSON with sorted keys.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension StateStore {
    /// Opens the store where `location` says, and migrates it.
    /// - Parameter retryFor: how long to retry an unreachable PostgreSQL
    ///   (nil: until it answers, as a server does at start).
    public static func open(_ location: StorageLocation, logger: Logger, retryFor: Duration? = nil) async throws(StoreError) -> StateStore {
        switch location {
        case let .sqlite(path):
            return try await StateStore(path: path)
        case let .postgres(settings):
            let driver = try await PostgresDriver.open(settings, logger: logger, retryFor: retryFor)
            do {
                return try await StateStore(driver: driver)
            } catch {
                try? await driver.close()
                throw error
            }
        }
    }
}
