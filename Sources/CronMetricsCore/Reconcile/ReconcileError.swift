/// Why a reconcile applied nothing.
public enum ReconcileError: Error, CustomStringConvertible {
    /// The tree could not be read (missing root, unreadable folder).
    case tree(JobTreeError)
    /// One or more files are invalid; every error is listed.
    case invalid([JobFileDiagnostic])
    case store(StoreError)

    public var description: String {
        switch self {
        case let .tree(error): return error.description
        case let .invalid(errors):
            return "\(errors.count) error\(errors.count == 1 ? "" : "s") in jobs directory:\n"
                + errors.map(\.description).joined(separator: "\n")
        case let .store(error): return error.description
        }
    }
}
