import Foundation

/// A value bound to, or read from, a SQL statement: what SQLite and
/// PostgreSQL both store (times are seconds since 1970, as `REAL` / `DOUBLE
/// PRECISION`).
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ value: (some SQLValueConvertible)?) {
        self = value?.sqlValue ?? .null
    }
}

/// A Swift value that binds as a ``SQLValue``.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
}

extension Date: SQLValueConvertible {
    /// Seconds since 1970, as every time column stores it.
    public var sqlValue: SQLValue { .real(timeIntervalSince1970) }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}
