/// Renders a job to the text of its file, deterministically: keys in schema
/// order, labels by name, a trailing newline, and never a plaintext key (only
/// `api_key_sha256` exists in ``Job``). The same job always gives the same bytes,
/// so an API edit is a minimal diff in git. It writes every field
/// ``Job/value(of:)`` gives, by the value's JSON type: no key is written by hand.
public struct JobFileRenderer: Sendable {
    /// The comment that opens files cronmetrics creates. The schema line lets
    /// editors with the YAML language server check the file as it is typed (the
    /// path holds for a `jobs.d` beside `docs/`, as in this repository).
    public static let header = """
        # Managed by cronmetrics: safe to edit by hand, then commit.
        # Reference: docs/job-file.md
        # yaml-language-server: $schema=../docs/job.schema.json


        """

    public init() {}

    /// - Parameters:
    ///   - job: the job to render.
    ///   - header: whether to open with ``header`` (true for new files).
    /// - Returns: the file's text.
    public func render(_ job: Job, header: Bool = true) -> String {
        var out = header ? Self.header : ""
        for key in JobFileKey.allCases {
            guard let value = job.value(of: key) else { continue }
            switch value {
            case let .object(entries):
                // A block mapping, by name; an empty one is left out.
                guard !entries.isEmpty else { continue }
                out += "\(key.rawValue):\n"
                for name in entries.keys.sorted() {
                    out += "  \(name): \(Self.flow(entries[name] ?? .null))\n"
                }
            case let .string(text) where key == .schedule:
                // Cron fields hold `*`, `/`, `?` and `#`: always quoted, as people write them.
                out += "\(key.rawValue): \(QuotedString.quote(text))\n"
            default:
                out += "\(key.rawValue): \(Self.flow(value))\n"
            }
        }
        return out
    }

    /// A value on one line: a flow list, a number, or a string as a scalar;
    /// an RFC 3339 time plain (the decoder reads every scalar as text).
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case let .string(text): RFC3339.parse(text).map(RFC3339.format) == text ? text : scalar(text)
        case let .array(items): "[" + items.map(flow).joined(separator: ", ") + "]"
        case let .object(entries): "{" + entries.keys.sorted().map { "\($0): \(flow(entries[$0] ?? .null))" }.joined(separator: ", ") + "}"
        default: value.description
        }
    }

    /// `text` as a YAML scalar that reads back as the same string: plain when
    /// that is unambiguous, double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        needsQuotes(text) ? QuotedString.quote(text) : text
    }

    static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        // Only these may start a plain scalar; YAML gives most other characters a meaning there.
        guard first.properties.isAlphabetic || ("0"..."9").contains(first) || first == "_" || first == "/" || first == "(",
              last != " "
        else { return true }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "/", "@", "-", " ", "(", ")", ",", "+":
                continue
            default:
                return true
            }
        }
        // Plain scalars that YAML would read as something other than a string.
        let lowered = text.lowercased()
        let special: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", ".nan", "inf", ".inf"]
        if special.contains(lowered) || Double(text) != nil || Int(text) != nil { return true }
        if text.utf8.first.map({ (48...57).contains($0) }) == true, text.contains("-") { return true }  // dates
        if text.hasPrefix("0x") || text.hasPrefix("0o") || text.hasPrefix("+") { return true }
        return false
    }
}
