/// A JSON value, for bodies whose shape is decided later (a merge patch, the
/// fields of a job file) without `[String: Any]`.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// Whole numbers are kept exact; 9223372036854775807 must reach the
    /// job-file decoder as written, not as a rounded Double.
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .integer(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// The value as compact JSON text.
    public var description: String {
        (try? String(decoding: APICoding.encoder.encode(self), as: UTF8.self)) ?? "null"
    }

    /// The value as canonical JSON: compact, object keys sorted, strings
    /// escaped by ``QuotedString``. Written by hand because the store keeps
    /// every job's definition in this form and compares it as text: a
    /// reconcile of a large tree renders each one (JSONEncoder took about
    /// ten times as long).
    public var canonical: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .integer(value): out += String(value)
        case let .number(value): out += value.isFinite ? "\(value)" : "null"
        case let .string(value): out += QuotedString.quote(value)
        case let .array(items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (index, name) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += QuotedString.quote(name)
                out += ":"
                members[name]?.write(to: &out)
            }
            out += "}"
        }
    }

    /// The string, when this is one.
    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The members, when this is an object.
    public var object: [String: JSONValue]? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// Applies an RFC 7386 merge patch: members of `patch` replace those of
    /// `self`, objects merge member by member, and `null` removes.
    public func merging(_ patch: JSONValue) -> JSONValue {
        guard case let .object(changes) = patch else { return patch }
        var result = object ?? [:]
        for (name, change) in changes {
            if change == .null {
                result[name] = nil
            } else {
                result[name] = (result[name] ?? .null).merging(change)
            }
        }
        return .object(result)
    }
}
