/// One SMTP reply: a three-digit code and its text lines (a multi-line reply
/// is `250-first`, `250-…`, `250 last`).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    /// 2xx and 3xx: go on.
    var isPositive: Bool { code < 400 }
    /// 4xx: try again later. 5xx: refused for good.
    var isTransient: Bool { (400..<500).contains(code) }

    var text: String { lines.joined(separator: " / ") }

    /// Collects reply lines; `add` returns the reply once its last line is in.
    struct Parser {
        private var code: Int?
        private var lines: [String] = []

        mutating func add(_ line: String) throws(SMTPError) -> SMTPReply? {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let value = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200..<600).contains(value) else {
                throw .protocolViolation("not an SMTP reply: \(line.prefix(80))")
            }
            if let code, code != value { throw .protocolViolation("reply code changed within a reply: \(line.prefix(80))") }
            code = value
            let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            guard separator != UInt8(ascii: "-") else { return nil }
            defer { self = Parser() }
            return SMTPReply(code: value, lines: lines)
        }
    }
}
