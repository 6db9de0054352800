/// A double-quoted string that YAML and JSON both read back as the same text,
/// and that no line-based reader (a log shipper) can split: `"` and `\` are
/// escaped, and so is every control character, DEL, NEL and the rest of C1,
/// U+2028, U+2029 and U+FEFF (as `\n`, `\r`, `\t` or `\uXXXX`). Works on
/// Unicode scalars: CRLF is one Swift `Character`, and would slip past a
/// comparison with "\n".
public enum QuotedString {
    public static func quote(_ text: String) -> String {
        "\"" + escaped(text) + "\""
    }

    /// `text` escaped for the inside of a double-quoted JSON or YAML string
    /// (the one escaper: job files, JSON logs and webhook templates share it).
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                guard needsEscape(scalar) else {
                    out.unicodeScalars.append(scalar)
                    continue
                }
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    /// Whether `scalar` is written as an escape.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
            || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xfeff
    }
}
