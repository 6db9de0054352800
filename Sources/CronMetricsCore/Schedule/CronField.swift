/// One field of a cron expression: the set of values it matches, as a bit
/// set, and whether it was written starting with `*` (which matters for how
/// day-of-month and day-of-week combine, as in Vixie cron).
struct CronField: Sendable, Hashable {
    /// Bit `v` is set when value `v` matches.
    let bits: UInt64
    /// The field began with `*` (`*`, `*/15`).
    let star: Bool

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest matching value ≥ `value` and ≤ `limit`, if any.
    func next(from value: Int, limit: Int) -> Int? {
        guard value <= limit else { return nil }
        for candidate in max(value, 0)...limit where contains(candidate) { return candidate }
        return nil
    }

    /// The largest matching value ≤ `value` and ≥ `floor`, if any.
    func previous(from value: Int, floor: Int) -> Int? {
        guard value >= floor else { return nil }
        for candidate in stride(from: value, through: floor, by: -1) where contains(candidate) { return candidate }
        return nil
    }

    /// Parses one field: `*`, `5`, `1-5`, `*/15`, `1-30/2`, `5/15` (from 5 to the
    /// end), names (`MON`, `JAN`), and lists of these (`1,15,L` is not cron).
    ///
    /// - Parameters:
    ///   - range: the values the field takes (minutes 0–59 …).
    ///   - names: words for values (`jan` = 1), lowercase.
    ///   - fold: a value mapped onto another (day-of-week 7 is Sunday, 0).
    static func parse(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int] = [:],
                      fold: (Int, Int)? = nil) throws(CronError) -> CronField {
        var bits: UInt64 = 0
        guard !text.isEmpty else { throw .field(name, text, "is empty") }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw .field(name, text, "has an empty list item") }
            let pieces = part.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var low = range.lowerBound, high = range.upperBound
            let base = String(pieces[0])
            if base != "*" {
                let bounds = base.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                low = try value(String(bounds[0]), name: name, field: text, range: range, names: names)
                high = bounds.count == 2
                    ? try value(String(bounds[1]), name: name, field: text, range: range, names: names)
                    : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw .field(name, text, "has a range that runs backwards (\(base))") }
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0, parsed <= range.upperBound else {
                    throw .field(name, text, "has a step that is not a whole number from 1 to \(range.upperBound) (\(pieces[1]))")
                }
                step = parsed
            }
            for v in stride(from: low, through: high, by: step) {
                var folded = v
                if let fold, v == fold.0 { folded = fold.1 }
                bits |= 1 << UInt64(folded)
            }
        }
        return CronField(bits: bits, star: text.hasPrefix("*"))
    }

    private static func value(_ text: String, name: String, field: String, range: ClosedRange<Int>,
                              names: [String: Int]) throws(CronError) -> Int {
        if let number = Int(text), text.allSatisfy(\.isASCII) {
            guard range.contains(number) else {
                throw .field(name, field, "has \(number), outside \(range.lowerBound)–\(range.upperBound)")
            }
            return number
        }
        if let named = names[text.lowercased()] { return named }
        let hint = names.isEmpty ? "" : " (names: \(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")))"
        throw .field(name, field, "has '\(text)', which is not a number\(hint)")
    }
}
