/// A setting given on the command line: its value and the flag that gave it
/// (`--listen`), for `config show`.
public struct FlagValue: Sendable {
    public var value: String
    public var flag: String

    public init(_ value: String, flag: String) {
        self.value = value
        self.flag = flag
    }
}
