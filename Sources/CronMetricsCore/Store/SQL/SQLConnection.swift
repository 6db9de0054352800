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

    /// Runs writes that each return one row (`INSERT … RETURNING`) in one
    /// round trip where the database can (PostgreSQL: one statement, each
    /// write a data-modifying `WITH` part; SQLite, in process: one after
    /// another), and merges their rows' columns into one row. The writes
    /// must not depend on each other (PostgreSQL runs them on one snapshot).
    public func queryTogether(_ statements: [(sql: String, arguments: [SQLValue])], table: String) throws -> SQLRow? {
        switch dialect {
        case .postgres:
            let parts = statements.enumerated().map { "s\($0.offset) AS (\($0.element.sql))" }.joined(separator: ", ")
            let from = statements.indices.map { "s\($0)" }.joined(separator: ", ")
            return try queryOne("WITH \(parts) SELECT * FROM \(from)", statements.flatMap(\.arguments), table: table)
        case .sqlite:
            var names: [String] = [], values: [SQLValue] = []
            for statement in statements {
                guard let row = try queryOne(statement.sql, statement.arguments, table: table) else { return nil }
                names += row.columnNames
                values += row.values
            }
            return SQLRow(columns: SQLRow.Columns(names), values: values, table: table)
        }
    }
}
