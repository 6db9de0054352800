import Foundation

/// Run durations in logarithmic buckets (DDSketch's mapping): each bucket
/// spans values whose ratio is at most `gamma`, so any percentile it answers
/// is within 1% of the true value at that rank, however many durations it
/// holds. Sketches add bucket by bucket: an hour's, a day's and a window's
/// are the same kind of thing, and two replicas adding to one rollup cannot
/// lose each other's counts (the store merges them in SQL).
///
/// Stored as a JSON object from bucket index to count (`{"-12":3,"40":1}`);
/// durations under half a millisecond count in bucket `"z"` (zero).
public struct DurationSketch: Sendable, Hashable {
    /// Relative accuracy of every answer.
    public static let accuracy = 0.01
    static let gamma = (1 + accuracy) / (1 - accuracy)
    static let logGamma = Foundation.log(gamma)
    /// Durations at or below this count as zero.
    static let zeroBelow = 0.000_5
    static let zeroKey = "z"

    public private(set) var buckets: [String: Int] = [:]

    public init() {}

    public init(_ durations: some Sequence<Double>) {
        for duration in durations { add(duration) }
    }

    public var count: Int { buckets.values.reduce(0, +) }
    public var isEmpty: Bool { buckets.isEmpty }

    /// The bucket a duration (seconds) counts in.
    public static func key(_ duration: Double) -> String {
        guard duration > zeroBelow, duration.isFinite else { return zeroKey }
        return String(Int((Foundation.log(duration) / logGamma).rounded(.up)))
    }

    /// A bucket's representative value: within `accuracy` of any value in it.
    static func value(_ key: String) -> Double {
        guard let index = Int(key) else { return 0 }
        return 2 * Foundation.pow(gamma, Double(index)) / (gamma + 1)
    }

    public mutating func add(_ duration: Double, count: Int = 1) {
        buckets[Self.key(duration), default: 0] += count
    }

    public mutating func merge(_ other: DurationSketch) {
        for (key, count) in other.buckets { buckets[key, default: 0] += count }
    }

    /// The duration at rank `ceil(q × count)` (nearest rank, 1-based) of the
    /// sorted durations, within 1%; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        let total = count
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (key, count) in buckets.sorted(by: { Self.order($0.key) < Self.order($1.key) }) {
            seen += count
            if seen >= rank { return Self.value(key) }
        }
        return nil
    }

    private static func order(_ key: String) -> Int { Int(key) ?? Int.min }

    /// The stored form: a JSON object, keys in bucket order.
    public var json: String {
        let items = buckets.sorted { Self.order($0.key) < Self.order($1.key) }.map { "\"\($0.key)\":\($0.value)" }
        return "{" + items.joined(separator: ",") + "}"
    }

    /// Reads the stored form; nil for text that is not one.
    public init?(json: String) {
        // Written by hand for the one shape stored (`{"-12":3, "z":1}`, with or
        // without PostgreSQL's spaces): each result's upsert merges two of
        // these on SQLite, and JSONSerialization made submissions 17% slower.
        if let buckets = Self.parse(json) {
            self.buckets = buckets
            return
        }
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        for (key, value) in object {
            guard key == Self.zeroKey || Int(key) != nil, let count = (value as? NSNumber)?.intValue, count >= 0 else { return nil }
            if count > 0 { buckets[key] = count }
        }
    }

    /// The buckets of `{"key":count,…}` (keys `z` or integers, counts whole
    /// and not negative), or nil for anything else (then JSON is tried).
    static func parse(_ text: String) -> [String: Int]? {
        var buckets: [String: Int] = [:]
        let bytes = Array(text.utf8)
        var i = 0
        func skipSpace() { while i < bytes.count, bytes[i] == 0x20 { i += 1 } }
        func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }
        guard take(UInt8(ascii: "{")) else { return nil }
        if take(UInt8(ascii: "}")) { return i == bytes.count ? buckets : nil }
        repeat {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let keyStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < bytes.count, i > keyStart else { return nil }
            let key = String(decoding: bytes[keyStart..<i], as: UTF8.self)
            i += 1
            guard key == zeroKey || Int(key) != nil, take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            var count = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 18 {
                count = count * 10 + Int(bytes[i] - 0x30)
                i += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            if count > 0 { buckets[key, default: 0] += count }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return i == bytes.count ? buckets : nil
    }

    /// Two stored sketches added (SQLite's `cronmetrics_sketch_merge`; PostgreSQL has the same function in SQL).
    static func merged(_ a: String?, _ b: String?) -> String? {
        // Nothing to add (most rows of an upsert): `a` as it is, unparsed.
        guard let b, let second = DurationSketch(json: b) else { return a }
        guard let a, let first = DurationSketch(json: a) else { return b }
        var sum = first
        sum.merge(second)
        return sum.json
    }
}
