import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// A leased PostgreSQL connection as the store's ``SQLConnection``, waited
/// for on the driver's thread. Statements that return rows, and writes
/// nobody waits for, run as named prepared statements: parsed once per
/// connection (``PreparedStatements``), then only bound and run. A write
/// whose count is wanted goes as an unnamed statement (parsed, bound and run
/// in one round trip). Statements nobody waits for (``send(_:_:)``, the
/// `BEGIN`) go out in order without waiting: postgres-nio runs a
/// connection's queries one after another on its event loop, so they cost no
/// round trip of the driver's thread of their own.
struct PostgresConnectionRunner: SQLConnection {
    let connection: PostgresConnection
    let statements: PreparedStatements
    let logger: Logger
    /// The longest wait for an answer: the statement timeout (PostgreSQL
    /// ends a slower statement itself) and a margin. A connection cut while
    /// a statement was out (PostgreSQL stopped) may never answer nor fail
    /// it; this wait then fails and the connection is closed.
    var answerTimeout: TimeAmount = .seconds(35)
    var dialect: SQLDialect { .postgres }
    /// The answers of the statements sent and not yet waited for.
    private let unanswered = Unanswered()

    private final class Unanswered {
        var futures: [EventLoopFuture<Void>] = []
    }

    init(connection: PostgresConnection, statements: PreparedStatements, logger: Logger) {
        self.connection = connection
        self.statements = statements
        self.logger = logger
    }

    /// `body` between `begin` and `COMMIT`; rolled back when it throws.
    ///
    /// `COMMIT` in a transaction a statement failed in answers `ROLLBACK`
    /// without an error: it counts as committed only when every statement
    /// sent before it succeeded.
    func transaction<T>(begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        unanswered.futures.append(unnamed(begin, []).map { _ in })
        do {
            let value = try body(self)
            _ = try wait(unnamed("COMMIT", []))
            return value
        } catch {
            _ = try? wait(unnamed("ROLLBACK", []))
            throw error
        }
    }

    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow] {
        let rows = try wait(try prepared(sql, arguments))
        guard let first = rows.first else { return [] }
        let columns = SQLRow.Columns(first.map(\.columnName))
        return try rows.map { row in
            SQLRow(columns: columns, values: try row.map(Self.value), table: table)
        }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try wait(unnamed(sql, arguments)).metadata.rows ?? 0
    }

    func send(_ sql: String, _ arguments: [SQLValue]) throws {
        unanswered.futures.append(try prepared(sql, arguments).map { _ in })
    }

    /// Waits for `future`. The statements sent before it are answered by
    /// then: the first of their errors is thrown rather than this one's
    /// (which is then "the transaction is aborted").
    private func wait<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
        let answer = Result { try answered(future) }
        let earlier = unanswered.futures
        unanswered.futures.removeAll()
        for future in earlier { try answered(future) }
        return try answer.get()
    }

    /// The answer of `future`, or a failure once the connection is closed or
    /// ``answerTimeout`` has passed, both looked at once a second while it
    /// waits (nothing is registered on the long-lived connection per
    /// statement).
    private func answered<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
        let answer = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            answer.withLockedValue { $0 = result }
            done.signal()
        }
        let deadline = DispatchTime.now() + .nanoseconds(Int(answerTimeout.nanoseconds))
        while done.wait(timeout: min(DispatchTime.now() + .seconds(1), deadline)) == .timedOut {
            if connection.isClosed {
                throw StoreError.unavailable("the connection to PostgreSQL closed before it answered")
            }
            if DispatchTime.now() >= deadline {
                connection.close().whenComplete { _ in }
                throw StoreError.unavailable("PostgreSQL did not answer within \(answerTimeout.nanoseconds / 1_000_000_000) s")
            }
        }
        guard let result = answer.withLockedValue({ $0 }) else { throw StoreError.query("an answer without a result") }
        return try result.get()
    }

    private func unnamed(_ sql: String, _ arguments: [SQLValue]) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null, .typedNull: binds.appendNull()
            case let .integer(value): binds.append(value)
            case let .real(value): binds.append(value)
            case let .text(value): binds.append(value)
            }
        }
        return connection.query(PostgresQuery(unsafeSQL: SQLDialect.postgres.placeholders(sql, arguments), binds: binds), logger: logger)
    }

    /// Runs `sql` as this connection's prepared statement for its text,
    /// preparing it first (a round trip, once) if it has none yet. Each
    /// parameter's type is in the text (``SQLDialect/placeholders(_:_:)``),
    /// so the binds are sent as PostgreSQL parsed them.
    private func prepared(_ sql: String, _ arguments: [SQLValue]) throws -> EventLoopFuture<[PostgresRow]> {
        let text = SQLDialect.postgres.placeholders(sql, arguments)
        let statement: PreparedQuery
        if let known = statements.statement(text, on: connection) {
            statement = known
        } else if statements.hasRoom(on: connection) {
            statement = try wait(connection.prepare(query: text))
            statements.keep(statement, text, on: connection)
        } else {
            // A full connection runs new texts unnamed: a statement prepared
            // and not kept would stay allocated in its session for good.
            return unnamed(sql, arguments).map(\.rows)
        }
        return statement.execute(arguments.map { argument in
            switch argument {
            case .null, .typedNull: PostgresData.null
            case let .integer(value): PostgresData(int64: value)
            case let .real(value): PostgresData(double: value)
            case let .text(value): PostgresData(string: value)
            }
        })
    }

    /// A cell as a ``SQLValue``, by its column's type.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        // postgres-nio asks for every row in binary, but a prepared statement's
        // cells carry the format of its Describe (text): decode them as sent.
        var cell = cell
        cell.format = .binary
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// Each connection's prepared statements by text. A connection prepares at
/// most ``perConnection`` (texts past that run unnamed: batches of many sizes
/// would otherwise grow its session's memory without bound); connections the
/// pool closed are forgotten once more than ``connections`` are known.
final class PreparedStatements: Sendable {
    static let perConnection = 256
    private let connections: Int
    private let byConnection = NIOLockedValueBox([PostgresConnection.ID: [String: PreparedQuery]]())

    init(poolSize: Int) {
        connections = max(4, 2 * poolSize)
    }

    func statement(_ text: String, on connection: PostgresConnection) -> PreparedQuery? {
        byConnection.withLockedValue { $0[connection.id]?[text] }
    }

    /// Whether `connection` may prepare one more statement.
    func hasRoom(on connection: PostgresConnection) -> Bool {
        byConnection.withLockedValue { ($0[connection.id]?.count ?? 0) < Self.perConnection }
    }

    func keep(_ statement: PreparedQuery, _ text: String, on connection: PostgresConnection) {
        byConnection.withLockedValue { all in
            if all[connection.id] == nil, all.count >= connections {
                // The pool numbers connections in order: the lowest are the oldest.
                for id in all.keys.sorted().prefix(all.count / 2) { all[id] = nil }
            }
            all[connection.id, default: [:]][text] = statement
        }
    }
}
