import Foundation

/// A value bound to, or read from, a SQL statement: what SQLite and
/// PostgreSQL both store (times are seconds since 1970, as `REAL` / `DOUBLE
/// PRECISION`).
public enum SQLValue: Sendable, Hashable {
    case null
    /// A NULL bound in place of a value of `kind` (an optional that is nil):
    /// a statement's PostgreSQL text names its parameters' kinds, so it stays
    /// the same, and its prepared form reusable, whether a value is there or not.
    case typedNull(Kind)
    case integer(Int64)
    case real(Double)
    case text(String)

    /// What a bound value is, for PostgreSQL's parameter types.
    public enum Kind: Sendable, Hashable {
        case integer, real, text
    }

    public init<Value: SQLValueConvertible>(_ value: Value?) {
        self = value?.sqlValue ?? Value.sqlKind.map(SQLValue.typedNull) ?? .null
    }

    /// The kind of a bound value; nil for an untyped NULL.
    public var kind: Kind? {
        switch self {
        case .null: nil
        case let .typedNull(kind): kind
        case .integer: .integer
        case .real: .real
        case .text: .text
        }
    }
}

/// A Swift value that binds as a ``SQLValue``.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
    /// What its values bind as (nil: no one kind).
    static var sqlKind: SQLValue.Kind? { get }
}

extension Int: SQLValueConvertible {}
extension Int64: SQLValueConvertible {}

extension SQLValueConvertible where Self: BinaryInteger {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static var sqlKind: SQLValue.Kind? { .integer }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public static var sqlKind: SQLValue.Kind? { .real }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public static var sqlKind: SQLValue.Kind? { .text }
}

extension Date: SQLValueConvertible {
    /// Seconds since 1970, as every time column stores it (a `real`).
    public var sqlValue: SQLValue { .real(timeIntervalSince1970) }
    public static var sqlKind: SQLValue.Kind? { Double.sqlKind }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public static var sqlKind: SQLValue.Kind? { nil }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}
