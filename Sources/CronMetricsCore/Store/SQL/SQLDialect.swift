/// Where SQLite and PostgreSQL differ, in one place: every statement of the
/// store is written once, and the few words that differ come from here.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres

    /// The larger of two values (`MAX(a, b)` in SQLite, `GREATEST` in PostgreSQL).
    public func greatest(_ a: String, _ b: String) -> String {
        switch self {
        case .sqlite: "MAX(\(a), \(b))"
        case .postgres: "GREATEST(\(a), \(b))"
        }
    }

    /// `value` as a number column takes it (a bind in a `SELECT` list has no type of its own in PostgreSQL).
    public func real(_ value: String) -> String {
        switch self {
        case .sqlite: "CAST(\(value) AS REAL)"
        case .postgres: "CAST(\(value) AS DOUBLE PRECISION)"
        }
    }

    /// `value` as text (see ``real(_:)``).
    public func text(_ value: String) -> String {
        "CAST(\(value) AS TEXT)"
    }

    /// Appended to a `SELECT` that picks rows to claim: rows another
    /// transaction claims at the same time are skipped, not waited for (a
    /// SQLite database has one writer at a time, so it needs nothing).
    public var skipLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// `(?, ?), (?, ?), …`: `count` rows of `columns` placeholders, for a
    /// multi-row `VALUES` (the same on both databases).
    public static func valueRows(_ count: Int, columns: Int) -> String {
        valueRows(count, row: "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")")
    }

    /// `?, ?, …`: `count` placeholders, for `IN (…)`.
    public static func list(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `count` copies of `row` (e.g. `(CAST(? AS TEXT), ?)`), for a
    /// multi-row `VALUES` whose cells need a type (``real(_:)``, ``text(_:)``).
    public static func valueRows(_ count: Int, row: String) -> String {
        Array(repeating: row, count: count).joined(separator: ", ")
    }

    /// The statement's text for this database: `?` placeholders numbered
    /// `$1, $2 …` for PostgreSQL, each with its bind's type (`$1::int8`,
    /// `::float8`, `::text`; none for an untyped NULL), so one text is one
    /// prepared statement whatever the values (no statement of the store has
    /// a `?` inside a string literal).
    public func placeholders(_ sql: String, _ arguments: [SQLValue] = []) -> String {
        guard self == .postgres else { return sql }
        // Byte by byte: `?` is ASCII, never inside a multi-byte character, and
        // this runs for every statement (walking Characters cost 7% of the
        // server's CPU under a submission load).
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 16 + arguments.count * 8)
        var number = 0
        for byte in sql.utf8 {
            guard byte == UInt8(ascii: "?") else {
                out.append(byte)
                continue
            }
            number += 1
            out.append(UInt8(ascii: "$"))
            out.append(contentsOf: String(number).utf8)
            switch number <= arguments.count ? arguments[number - 1].kind : nil {
            case .integer: out.append(contentsOf: "::int8".utf8)
            case .real: out.append(contentsOf: "::float8".utf8)
            case .text: out.append(contentsOf: "::text".utf8)
            case nil: break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
