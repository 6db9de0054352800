/// One job of a validated tree, with the file it came from.
public struct CatalogEntry: Hashable, Sendable {
    public var job: Job
    /// Path relative to the tree's root.
    public var path: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public var contentHash: String

    public init(job: Job, path: String, contentHash: String) {
        self.job = job
        self.path = path
        self.contentHash = contentHash
    }
}
