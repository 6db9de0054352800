/// Why the store could not be opened, migrated, read or written.
public enum StoreError: Error, CustomStringConvertible {
    case open(path: String, reason: String)
    case migration(String)
    /// The schema is newer than this build knows (a later cronmetrics
    /// migrated it): nothing is written to it.
    case newerSchema(String)
    case query(String)
    /// A stored value this build cannot read: an error, never a default.
    case corruptRow(table: String, column: String, problem: String)
    /// The database cannot be reached or gave up on a statement (PostgreSQL
    /// down, a timeout): worth retrying, answered 503.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .open(path, reason): return "cannot open database \(path): \(reason)"
        case let .migration(reason): return "cannot migrate database: \(reason)"
        case let .newerSchema(reason):
            return "the database's schema is newer than this cronmetrics knows (\(reason)); run the cronmetrics that migrated it, or a later one"
        case let .query(reason): return "database error: \(reason)"
        case let .corruptRow(table, column, problem): return "corrupt row in \(table).\(column): \(problem)"
        case let .unavailable(reason): return "database unavailable: \(reason)"
        }
    }
}
