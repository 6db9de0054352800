/// One connection inside a transaction (or a read): runs statements written
/// once for both backends with `?` placeholders; the driver rewrites them
/// for its database (PostgreSQL numbers them). SQLite's statements are
/// prepared once per connection and cached (GRDB); PostgreSQL's are sent
/// with their binds as unnamed statements, parsed by the server each time.
public protocol SQLConnection {
    var dialect: SQLDialect { get }

    /// The rows `sql` returns (a `SELECT`, or a write with `RETURNING`).
    /// - Parameter table: names the rows in errors about their values.
    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow]

    /// Runs a write; how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Runs a write whose answer nobody waits for (no rows, no count).
    /// PostgreSQL sends it after the statements before it and goes on; an
    /// error it meets is thrown by the next statement waited for, or by the
    /// commit, and the transaction does not commit. SQLite runs it at once.
    func send(_ sql: String, _ arguments: [SQLValue]) throws
}

extension SQLConnection {
    public func query(_ sql: String, _ arguments: [SQLValue] = [], table: String = "") throws -> [SQLRow] {
        try query(sql, arguments, table: table)
    }

    /// The first row `sql` returns, if any.
    public func queryOne(_ sql: String, _ arguments: [SQLValue] = [], table: String = "") throws -> SQLRow? {
        try query(sql, arguments, table: table).first
    }

    @discardableResult
    public func execute(_ sql: String) throws -> Int {
        try execute(sql, [])
    }

    /// Runs writes whose rows share a key column (`INSERT … RETURNING
    /// job_id, …`, each row with another key) in one round trip where the
    /// database can (PostgreSQL: one statement, each write a data-modifying
    /// `WITH` part joined on `key`; SQLite, in process: one after another,
    /// joined here), and gives one row per key with every statement's columns.
    /// The writes must not depend on each other (PostgreSQL runs them on one
    /// snapshot), and each must return every key once.
    public func queryJoined(_ statements: [(sql: String, arguments: [SQLValue])], on key: String, table: String) throws -> [SQLRow] {
        switch dialect {
        case .postgres:
            let parts = statements.enumerated().map { "s\($0.offset) AS (\($0.element.sql))" }.joined(separator: ", ")
            let from = statements.indices.map { "s\($0)" }.joined(separator: " JOIN ")
            let joined = statements.indices.dropFirst().isEmpty ? from : from + " USING (\(key))"
            return try query("WITH \(parts) SELECT * FROM \(joined)", statements.flatMap(\.arguments), table: table)
        case .sqlite:
            guard let first = statements.first else { return [] }
            var rows = try query(first.sql, first.arguments, table: table)
            for statement in statements.dropFirst() {
                var others: [SQLValue: SQLRow] = [:]
                for row in try query(statement.sql, statement.arguments, table: table) { others[row[key]] = row }
                rows = rows.compactMap { row in
                    guard let other = others[row[key]] else { return nil }
                    let extra = other.columnNames.indices.filter { other.columnNames[$0] != key }
                    return SQLRow(columns: SQLRow.Columns(row.columnNames + extra.map { other.columnNames[$0] }),
                                  values: row.values + extra.map { other.values[$0] }, table: table)
                }
            }
            return rows
        }
    }
}
