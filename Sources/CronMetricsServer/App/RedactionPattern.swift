/// A compiled redaction pattern.
// @unchecked Sendable: only the output type (`AnyRegexOutput`, which holds
// `Any`) keeps `Regex` from being Sendable; the compiled program is immutable
// and made for concurrent use, and we only ever replace matches with a string.
public struct RedactionPattern: @unchecked Sendable {
    public let source: String
    let regex: Regex<AnyRegexOutput>

    /// - Throws: when `source` is not a valid regular expression.
    public init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }
}
