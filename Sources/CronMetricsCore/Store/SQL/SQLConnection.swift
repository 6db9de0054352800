/// One connection inside a transaction (or a read): runs statements written
/// once for both backends with `?` placeholders; the driver rewrites them
/// for its database (PostgreSQL numbers them) and caches what it prepares.
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
}
