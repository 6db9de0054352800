/// Why a change to the job definitions was refused; nothing was changed.
/// The server maps each case to an HTTP status in one place; the CLI prints it.
public enum JobEditError: Error, CustomStringConvertible, Sendable, Equatable {
    case notFound(JobID)
    /// The id, or a file of the new job's name, exists already.
    case conflict(String)
    /// The fields are not a valid job; each diagnostic names its field.
    case invalidJob([JobFileDiagnostic])
    /// One request field is wrong (a key too short, an id that cannot change).
    case invalidField(field: String, message: String)
    /// The change, or another file, would leave the tree invalid; every error.
    case invalidTree([String])
    /// The tree cannot be read or written, or a server cannot be reached.
    case unavailable(String)
    /// A server refused the credentials.
    case refused(String)

    public var description: String {
        switch self {
        case let .notFound(id): return "job \(id) not found"
        case let .conflict(message): return message
        case let .invalidJob(diagnostics):
            return diagnostics.filter { $0.severity == .error }.map(\.message).joined(separator: "\n")
        case let .invalidField(field, message): return "\(field): \(message)"
        case let .invalidTree(errors):
            return "the jobs directory would be invalid; nothing was changed:\n" + errors.joined(separator: "\n")
        case let .unavailable(message), let .refused(message): return message
        }
    }
}
