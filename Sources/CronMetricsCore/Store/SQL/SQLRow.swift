import Foundation

/// One row a query returned, by column name. The typed getters throw
/// ``StoreError/corruptRow(table:column:problem:)`` for a value of another
/// type than the column's: a corrupt row is an error, logged and counted by
/// whoever reads it, never a silent default.
public struct SQLRow: Sendable {
    /// The column names of a result, shared by its rows.
    public final class Columns: Sendable {
        public let names: [String]
        let index: [String: Int]

        init(_ names: [String]) {
            self.names = names
            index = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    /// The values, in the order of ``Columns/names``.
    public let values: [SQLValue]
    /// The table the row came from, for errors.
    let table: String

    init(columns: Columns, values: [SQLValue], table: String) {
        self.columns = columns
        self.values = values
        self.table = table
    }

    public var columnNames: [String] { columns.names }

    public subscript(_ column: String) -> SQLValue {
        columns.index[column].map { values[$0] } ?? .null
    }

    public func isNull(_ column: String) -> Bool {
        self[column] == .null
    }

    private func corrupt(_ column: String, _ wanted: String) -> StoreError {
        .corruptRow(table: table, column: column, problem: "expected \(wanted), found \(self[column])")
    }

    public func optionalInt(_ column: String) throws(StoreError) -> Int64? {
        switch self[column] {
        case .null: return nil
        case let .integer(value): return value
        case let .real(value) where value.rounded() == value && abs(value) < 9e15: return Int64(value)
        default: throw corrupt(column, "an integer")
        }
    }

    public func int(_ column: String) throws(StoreError) -> Int64 {
        guard let value = try optionalInt(column) else { throw corrupt(column, "an integer") }
        return value
    }

    public func optionalDouble(_ column: String) throws(StoreError) -> Double? {
        switch self[column] {
        case .null: return nil
        case let .real(value): return value
        case let .integer(value): return Double(value)
        default: throw corrupt(column, "a number")
        }
    }

    public func double(_ column: String) throws(StoreError) -> Double {
        guard let value = try optionalDouble(column) else { throw corrupt(column, "a number") }
        return value
    }

    public func optionalDate(_ column: String) throws(StoreError) -> Date? {
        try optionalDouble(column).map(Date.init(timeIntervalSince1970:))
    }

    public func date(_ column: String) throws(StoreError) -> Date {
        Date(timeIntervalSince1970: try double(column))
    }

    public func optionalString(_ column: String) throws(StoreError) -> String? {
        switch self[column] {
        case .null: return nil
        case let .text(value): return value
        default: throw corrupt(column, "text")
        }
    }

    public func string(_ column: String) throws(StoreError) -> String {
        guard let value = try optionalString(column) else { throw corrupt(column, "text") }
        return value
    }

    /// A value stored as JSON text, decoded.
    public func json<T: Decodable>(_ type: T.Type, _ column: String) throws(StoreError) -> T {
        let text = try string(column)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw .corruptRow(table: table, column: column, problem: "not the JSON of \(T.self): \(error)")
        }
    }

    /// A job id column, parsed.
    public func jobID(_ column: String = "job_id") throws(StoreError) -> JobID {
        let text = try string(column)
        guard let id = JobID(text) else { throw corrupt(column, "a job id (job_name@host)") }
        return id
    }
}
