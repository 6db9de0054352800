/// Makes hostile variants of a valid document: values swapped for edge
/// cases (huge numbers, YAML tags and aliases, control characters, far
/// dates), lines deleted, duplicated or cut, bytes flipped.
public struct Mutator {
    /// Values that have broken parsers and formatters elsewhere.
    public static let nastyValues: [String] = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e309", "-1e309", "-0", "0",
        "0x7fffffff", "0o777", ".inf", "-.inf", ".nan", "~", "null", "''", "\"\"", "!!binary aGVsbG8=", "&a x", "*a",
        "*undefined", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "{a: {b: {c: {}}}}", "3651d", "1w1d1h1m1s", "0s", "1h1h",
        "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-12-01T06:00:00+23:59", "2026-12-01T06:00:00.999999999999Z", String(repeating: "a", count: 300),
        "ünïcödé", "\"\\u0000\"", "\"\\u2028\"", "'", "\"", "#", "- a", "? x", "|", ">", "%YAML 1.1", "---", "...",
        "<<: *a", "!!python/object:x", "@", "`", "true", "no", "1.5", "-1", "\t", "\"a\\nb\"", "{env: \"x\\r\\ny\"}",
    ]

    public var random: SeededRandom

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// `text` with one to four random changes.
    public mutating func mutate(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<Int.random(in: 1...4, using: &random) where !lines.isEmpty {
            let index = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0, 1, 2:  // replace a value
                let line = lines[index]
                let key = line.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "x"
                lines[index] = "\(key): \(Self.nastyValues.randomElement(using: &random) ?? "")"
            case 3: lines.remove(at: index)
            case 4: lines.insert(lines[index], at: index)
            case 5: lines[index] = String(lines[index].prefix(Int.random(in: 0...lines[index].count, using: &random)))
            case 6:
                var bytes = Array(lines[index].utf8)
                if !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                lines[index] = String(decoding: bytes, as: UTF8.self)
            default:
                lines.insert("  " + (Self.nastyValues.randomElement(using: &random) ?? ""), at: index)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A random byte string of up to `maxLength` bytes, biased to the
    /// characters that mean something to YAML and JSON.
    public mutating func noise(maxLength: Int = 200) -> String {
        let alphabet = Array("{}[]:,-?|>'\"#&*!%@`\\ \n\t0123456789abcxyz.eE+".utf8)
        let count = Int.random(in: 0...maxLength, using: &random)
        let bytes = (0..<count).map { _ in
            Int.random(in: 0..<10, using: &random) == 0 ? UInt8.random(in: 0...255, using: &random) : alphabet.randomElement(using: &random) ?? 0
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
