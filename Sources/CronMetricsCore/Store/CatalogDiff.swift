/// What one reconcile changed in the job table.
public struct CatalogDiff: Hashable, Sendable, CustomStringConvertible {
    public var added: [JobID] = []
    /// The definition changed.
    public var changed: [JobID] = []
    /// The same job now lives in another file (its first-seen time is kept).
    public var moved: [JobID] = []
    public var removed: [JobID] = []

    public init() {}

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && moved.isEmpty && removed.isEmpty }

    public var description: String {
        "\(added.count) added, \(changed.count) changed, \(moved.count) moved, \(removed.count) removed"
    }
}
