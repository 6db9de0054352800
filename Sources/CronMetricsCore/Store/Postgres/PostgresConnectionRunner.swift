import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A leased PostgreSQL connection as the store's ``SQLConnection``: each
/// statement is sent with its binds (the extended protocol: parsed, bound and
/// run in one round trip) and waited for on the driver's thread. Statements
/// nobody waits for (``send(_:_:)``, the `BEGIN`) go out in order without
/// waiting: postgres-nio runs a connection's queries one after another on its
/// event loop, so they cost no round trip of the driver's thread of their own.
struct PostgresConnectionRunner: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }
    /// The answers of the statements sent and not yet waited for.
    private let unanswered = Unanswered()

    private final class Unanswered {
        var futures: [EventLoopFuture<PostgresQueryResult>] = []
    }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// `body` between `begin` and `COMMIT`; rolled back when it throws.
    ///
    /// `COMMIT` in a transaction a statement failed in answers `ROLLBACK`
    /// without an error: it counts as committed only when every statement
    /// sent before it succeeded.
    func transaction<T>(begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        try send(begin, [])
        do {
            let value = try body(self)
            try run("COMMIT", [])
            return value
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow] {
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let columns = SQLRow.Columns(first.map(\.columnName))
        return try result.rows.map { row in
            SQLRow(columns: columns, values: try row.map(Self.value), table: table)
        }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func send(_ sql: String, _ arguments: [SQLValue]) throws {
        unanswered.futures.append(start(sql, arguments))
    }

    /// Runs `sql` and waits for its answer. The statements sent before it
    /// are answered by then: the first of their errors is thrown rather than
    /// this one's (which is then "the transaction is aborted").
    @discardableResult
    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        let answer = Result { try start(sql, arguments).wait() }
        let earlier = unanswered.futures
        unanswered.futures.removeAll()
        for future in earlier { _ = try future.wait() }
        return try answer.get()
    }

    private func start(_ sql: String, _ arguments: [SQLValue]) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: binds.appendNull()
            case let .integer(value): binds.append(value)
            case let .real(value): binds.append(value)
            case let .text(value): binds.append(value)
            }
        }
        return connection.query(PostgresQuery(unsafeSQL: SQLDialect.postgres.placeholders(sql), binds: binds), logger: logger)
    }

    /// A cell as a ``SQLValue``, by its column's type.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}
