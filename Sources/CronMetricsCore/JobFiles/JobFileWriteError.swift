#if canImport(Glibc)
import Glibc
#endif

/// Why a job file could not be written or removed.
public enum JobFileWriteError: Error, CustomStringConvertible, Equatable {
    /// The path would leave the `jobs.d` tree, or is not a `.yaml`/`.yml` file the tree walk would read.
    case unsafePath(String)
    /// The job file is a symbolic link to a file outside the tree: editing it
    /// would write there, so it is refused.
    case linkOutsideTree(path: String, target: String)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .unsafePath(path):
            return "refusing to write \(path): job files must be .yaml or .yml files inside the jobs directory"
        case let .linkOutsideTree(path, target):
            return "refusing to write \(path): it is a symbolic link to \(target), outside the jobs directory; edit that file instead"
        case let .io(path, operation, code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        }
    }
}
