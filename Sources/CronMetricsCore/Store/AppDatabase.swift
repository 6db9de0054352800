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

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: jobs and results") { db in
            try db.create(table: "jobs") { t in
                t.primaryKey("id", .text)
                t.column("job_name", .text).notNull()
                t.column("host", .text).notNull()
                t.column("path", .text).notNull()
                t.column("threshold_seconds", .integer).notNull()
                t.column("threshold_text", .text)
                t.column("status", .text).notNull()
                t.column("maintenance_until", .double)
                t.column("labels", .text).notNull()
                t.column("api_key_sha256", .text)
                t.column("description", .text)
                t.column("content_hash", .text).notNull()
                t.column("first_seen", .double).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "jobs_api_key_sha256", on: "jobs", columns: ["api_key_sha256"])
            try db.create(table: "results") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull()
                t.column("received_at", .double).notNull()
                t.column("run_at", .double)
                t.column("status", .text).notNull()
                t.column("duration", .double)
                t.column("exit_code", .integer)
                t.column("output", .text)
                t.column("labels", .text)
            }
            try db.create(index: "results_job_received", on: "results", columns: ["job_id", "received_at"])
            try db.create(index: "results_received", on: "results", columns: ["received_at"])
        }
        registerStateMigration(&migrator)
        return migrator
    }
}
