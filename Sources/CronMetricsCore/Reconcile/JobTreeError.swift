#if canImport(Glibc)
import Glibc
#endif

/// Why a `jobs.d` tree could not be read at all (as opposed to a bad file in it).
public enum JobTreeError: Error, CustomStringConvertible, Equatable {
    /// The root does not exist: a vanished tree is an error, never an empty catalog.
    case missingRoot(String)
    case notADirectory(String)
    case unreadable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .missingRoot(path):
            return "jobs directory \(path) does not exist"
        case let .notADirectory(path):
            return "jobs directory \(path) is not a directory"
        case let .unreadable(path, code):
            return "cannot read \(path): \(String(cString: strerror(code)))"
        }
    }
}
