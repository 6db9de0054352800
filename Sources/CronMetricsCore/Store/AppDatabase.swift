import Foundation
import GRDB

/// The SQLite database: one file in WAL mode holding the reconciled job table,
/// every submitted result, and what the job files cannot hold (first-seen time).
/// Deleting it loses history, never configuration.
public struct AppDatabase: Sendable {
    let dbWriter: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and runs its migrations.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // FULL: a result is on disk when its commit returns, even across
            // power loss. Set here, on the writer, after the pool is built:
            // DatabasePool switches the writer to WAL and then to
            // `synchronous = NORMAL`, which would undo a setting made in
            // `prepareDatabase` (commits would survive `kill -9`, not power loss).
            try pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try self.init(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
    }

    /// Wraps an open database and migrates it.
    init(_ dbWriter: any DatabaseWriter) throws(StoreError) {
        self.dbWriter = dbWriter
        do {
            try Self.migrator.migrate(dbWriter)
        } catch {
            throw .migration("\(error)")
        }
    }

    /// The value of `PRAGMA name` on the writer connection, the one every
    /// commit goes through (tests read `synchronous` and `journal_mode`).
    func writerPragma(_ name: String) throws -> String? {
        try dbWriter.write { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// Closes the database (checkpointing the WAL). Further use throws.
    public func close() throws {
        if let pool = dbWriter as? DatabasePool {
            try pool.close()
        }
    }

    /// Labels as stored: a JSON object with sorted keys.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
