/// Why a cron expression cannot be read.
public enum CronError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Not 5 fields, or an unknown `@` word.
    case shape(String)
    /// One field is wrong: its name, its text, what is wrong.
    case field(String, String, String)
    /// It is valid but matches no time at all (`0 0 30 2 *`).
    case neverFires

    public var description: String {
        switch self {
        case let .shape(message): return message
        case let .field(name, text, problem): return "the \(name) field '\(text)' \(problem)"
        case .neverFires: return "the schedule never fires (no date matches it)"
        }
    }
}
