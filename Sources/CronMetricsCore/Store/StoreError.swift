/// Why the database could not be opened, migrated, read or written.
public enum StoreError: Error, CustomStringConvertible {
    case open(path: String, reason: String)
    case migration(String)
    case query(String)

    public var description: String {
        switch self {
        case let .open(path, reason): return "cannot open database \(path): \(reason)"
        case let .migration(reason): return "cannot migrate database: \(reason)"
        case let .query(reason): return "database error: \(reason)"
        }
    }
}
