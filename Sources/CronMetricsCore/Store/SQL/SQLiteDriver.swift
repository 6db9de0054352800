import Foundation
import GRDB

/// SQLite through GRDB: one file in WAL mode, one writer and a pool of
/// readers. Transactions run on GRDB's writer queue; statements are
/// prepared once per connection and cached by their text.
public struct SQLiteDriver: SQLDriver {
    let pool: DatabasePool
    public let location: String
    public var dialect: SQLDialect { .sqlite }
    /// SQLite has one writer: a second transaction would only wait for it.
    public var writeConcurrency: Int { 1 }

    /// Opens (creating if needed) the database at `path`.
    /// - Throws: ``StoreError/open(path:reason:)`` when the file cannot be opened.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Adds two rollups' duration sketches in an upsert (PostgreSQL has it in SQL).
            db.add(function: DatabaseFunction("cronmetrics_sketch_merge", argumentCount: 2, pure: true) { values in
                // Nothing to add (a result of a job without a histogram): the stored text, not even copied out.
                if values[1].isNull { return values[0] }
                return DurationSketch.merged(String.fromDatabaseValue(values[0]), String.fromDatabaseValue(values[1]))
            })
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // FULL: a result is on disk when its commit returns, even across
            // power loss. Set here, on the writer, after the pool is built:
            // DatabasePool switches the writer to WAL and then to
            // `synchronous = NORMAL`, which would undo a setting made in
            // `prepareDatabase` (commits would survive `kill -9`, not power loss).
            try pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
        location = path
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write { db in try body(SQLiteConnection(db: db)) }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read { db in try body(SQLiteConnection(db: db)) }
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`):
    /// one snapshot, taken beside a server that keeps writing.
    public func snapshot(to path: String) async throws(StoreError) {
        do {
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [path])
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func migrate() async throws(StoreError) {
        do {
            try SchemaMigrations.sqlite(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .migration("\(error)")
        }
    }

    public func tableNames() async throws(StoreError) -> [String] {
        try await read { connection in
            try connection.query("""
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                ORDER BY name
                """).map { try $0.string("name") }
        }
    }

    public func close() async throws(StoreError) {
        do {
            try pool.close()
        } catch {
            throw Self.storeError(error)
        }
    }

    private static func storeError(_ error: any Error) -> StoreError {
        (error as? StoreError) ?? .query("\(error)")
    }

    /// The value of `PRAGMA name` on the writer connection, the one every
    /// commit goes through (tests read `synchronous` and `journal_mode`).
    func writerPragma(_ name: String) throws -> String? {
        try pool.write { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }
}

/// A GRDB connection as the store's ``SQLConnection``.
struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let names = statement.columnNames
        let columns = SQLRow.Columns(names)
        var rows: [SQLRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            rows.append(SQLRow(columns: columns, values: (0..<names.count).map { Self.value(row[$0] as DatabaseValue) }, table: table))
        }
        return rows
    }


    func send(_ sql: String, _ arguments: [SQLValue]) throws {
        try execute(sql, arguments)
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .null, .typedNull: .null
            case let .integer(number): number.databaseValue
            case let .real(number): number.databaseValue
            case let .text(text): text.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case let .int64(number): .integer(number)
        case let .double(number): .real(number)
        case let .string(text): .text(text)
        case let .blob(data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}
