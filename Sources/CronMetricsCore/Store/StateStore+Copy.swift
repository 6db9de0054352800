import Foundation

/// One table's part of a copy between stores (`cronmetrics store migrate`).
public struct TableCopy: Sendable, Equatable {
    public let table: String
    /// Rows the source has.
    public let read: Int
    /// Rows written to the target: new there, or different from the source.
    public let written: Int
    /// Rows the target's table holds after the copy.
    public let target: Int
}

extension StateStore {
    /// Copies every table of this SQLite store into `target` (PostgreSQL),
    /// rows as they are with their ids: state, history, runs, the outbox, and
    /// any table a later schema adds. Each batch is one transaction on the
    /// target, an upsert by primary key that writes only rows the target
    /// lacks or holds differently. So a second copy writes nothing, a copy
    /// killed half-way is finished by running it again (the end state is a
    /// clean run's), and a run after the server stopped brings over what it
    /// changed since. Rows the source no longer has (purged) stay in the
    /// target until its own retention removes them. The target's id
    /// sequences continue after the copied ids.
    ///
    /// Copy from a snapshot (``SQLiteDriver/snapshot(to:)``) when a server
    /// may still be writing: the tables are read batch by batch.
    /// - Parameter progress: called after each table.
    /// - Throws: ``StoreError``; a table the target does not have is a
    ///   ``StoreError/migration(_:)`` (the two builds' schemas differ).
    public func copy(into target: StateStore, batchRows: Int = 1000,
                     progress: @Sendable (TableCopy) -> Void = { _ in }) async throws(StoreError) -> [TableCopy] {
        guard driver.dialect == .sqlite, target.driver.dialect == .postgres else {
            throw .migration("store migrate copies a SQLite database into PostgreSQL")
        }
        let targetTables = Set(try await target.driver.tableNames())
        // Every table checked before anything is written.
        var shapes: [(table: String, columns: [String], key: String, counted: Bool)] = []
        for table in try await driver.tableNames() {
            guard Self.isPlainName(table), targetTables.contains(table) else {
                throw .migration("the target has no table \(table): run the same cronmetrics version on both")
            }
            let shape = try await sqliteShape(table)
            shapes.append((table, shape.columns, shape.key, shape.counted))
        }
        for shape in shapes where shape.counted {
            // A server that ran on the target wrote rows of its own: copying
            // again would overwrite those that share an id with the source's.
            let sql = "SELECT MAX(\(shape.key)) AS n FROM \(shape.table)"
            let mine = try await driver.read { db in try db.queryOne(sql)?.optionalInt("n") } ?? 0
            let theirs = try await target.driver.read { db in try db.queryOne(sql)?.optionalInt("n") } ?? 0
            if theirs > mine {
                throw .migration("""
                    the target's \(shape.table) has ids up to \(theirs), past this file's \(mine): a server has written to it. \
                    store migrate copies into a new database, or into one only it has filled
                    """)
            }
        }
        var copies: [TableCopy] = []
        for shape in shapes {
            let table = shape.table
            let (read, written) = try await copyTable(table, shape: (shape.columns, shape.key, shape.counted), into: target, batchRows: batchRows)
            let count = try await target.driver.read { db in
                try db.queryOne("SELECT COUNT(*) AS n FROM \(table)", table: table)?.int("n") ?? 0
            }
            let copy = TableCopy(table: table, read: read, written: written, target: Int(count))
            progress(copy)
            copies.append(copy)
        }
        return copies
    }

    /// Whether `name` is a plain SQL identifier (lower-case letters, digits, `_`).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") || first == UInt8(ascii: "_") else {
            return false
        }
        return name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    /// A table's columns and primary key, from SQLite's catalogue.
    /// `counted`: the key is an integer id the database hands out.
    private func sqliteShape(_ table: String) async throws(StoreError) -> (columns: [String], key: String, counted: Bool) {
        try await driver.read { db in
            let info = try db.query("SELECT name, pk, type FROM pragma_table_info(?) ORDER BY cid", [.text(table)], table: table)
            let columns = try info.map { try $0.string("name") }
            // Names go into statements as they are: only plain ones (a file
            // from elsewhere could name a column to smuggle SQL in).
            for name in columns where !Self.isPlainName(name) {
                throw StoreError.migration("table \(table) has a column named \(name.debugDescription), which no cronmetrics schema has")
            }
            let keys = try info.filter { try $0.int("pk") > 0 }.map { try $0.string("name") }
            guard keys.count == 1, let key = keys.first else {
                throw StoreError.migration("table \(table) has no single-column primary key to copy by")
            }
            let counted = try info.contains { try $0.int("pk") > 0 && $0.string("type").uppercased().contains("INT") }
            return (columns, key, counted)
        }
    }

    /// Copies `table` in batches ordered by its key: the rows read, and those written.
    private func copyTable(_ table: String, shape: (columns: [String], key: String, counted: Bool), into target: StateStore,
                           batchRows: Int) async throws(StoreError) -> (read: Int, written: Int) {
        let columns = shape.columns, key = shape.key
        // PostgreSQL takes at most 65,535 parameters in one statement.
        let perBatch = max(1, min(batchRows, 60_000 / max(columns.count, 1)))
        let list = columns.joined(separator: ", ")
        let others = columns.filter { $0 != key }
        let onConflict = others.isEmpty ? "DO NOTHING" : """
            DO UPDATE SET \(others.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
            WHERE (\(others.map { "t.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM (\(others.map { "EXCLUDED.\($0)" }.joined(separator: ", ")))
            """
        var after: SQLValue?
        var read = 0, written = 0
        while true {
            let last = after
            let rows = try await driver.read { db in
                if let last {
                    try db.query("SELECT \(list) FROM \(table) WHERE \(key) > ? ORDER BY \(key) LIMIT ?",
                                 [last, .integer(Int64(perBatch))], table: table)
                } else {
                    try db.query("SELECT \(list) FROM \(table) ORDER BY \(key) LIMIT ?", [.integer(Int64(perBatch))], table: table)
                }
            }
            guard let lastRow = rows.last else { break }
            let values = SQLDialect.valueRows(rows.count, columns: columns.count)
            let arguments = rows.flatMap { row in columns.map { row[$0] } }
            written += try await target.driver.write { db in
                try db.execute("INSERT INTO \(table) AS t (\(list)) VALUES \(values) ON CONFLICT (\(key)) \(onConflict)", arguments)
            }
            read += rows.count
            after = lastRow[key]
        }
        if shape.counted, after != nil {
            // New rows on the target continue after the copied ids (an identity column).
            try await target.driver.write { db in
                _ = try db.query("""
                    SELECT setval(pg_get_serial_sequence('\(table)', '\(key)'), (SELECT COALESCE(MAX(\(key)), 0) + 1 FROM \(table)), false) AS v
                    """, table: table)
            }
        }
        return (read, written)
    }
}
