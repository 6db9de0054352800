/// One finding about a job file: where it is and what to write instead.
///
/// Errors make the whole tree invalid (nothing is applied); warnings are reported
/// by `validate` and logged at reload, and change nothing.
public struct JobFileDiagnostic: Error, Hashable, Sendable, CustomStringConvertible, Codable {
    public enum Severity: String, Hashable, Sendable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    /// The file's path as shown to people: relative to the tree's parent, e.g. `jobs.d/backup@db1.yaml`.
    public var path: String
    /// 1-based line of the offending node.
    public var line: Int
    /// 1-based column (in Unicode scalars, as libyaml counts them).
    public var column: Int
    /// The key involved (`labels.env`, `host` …), when there is one.
    public var field: String?
    public var message: String

    public init(severity: Severity = .error, path: String, line: Int, column: Int, field: String? = nil, message: String) {
        self.severity = severity
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `path:line:column: message`, the shape compilers and editors understand.
    public var description: String {
        let prefix = severity == .warning ? "warning: " : ""
        return "\(path):\(line):\(column): \(prefix)\(message)"
    }
}
