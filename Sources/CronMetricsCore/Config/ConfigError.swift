/// Why a configuration could not be loaded: every problem, each with where it is.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// `file:line:column: message` or `env NAME: message` lines.
    public var problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        problems.joined(separator: "\n")
    }
}
