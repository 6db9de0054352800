import Crypto
import Foundation

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

/// A whole tree that validated: every job by id. Immutable; a reload builds a new one.
public struct JobCatalog: Sendable {
    public let entries: [JobID: CatalogEntry]
    /// A digest of every file's path and content: equal trees have equal hashes.
    public let hash: String

    public init(entries: [JobID: CatalogEntry]) {
        self.entries = entries
        var hasher = SHA256()
        for entry in entries.values.sorted(by: { $0.path < $1.path }) {
            hasher.update(data: Data(entry.path.utf8))
            hasher.update(data: [0])
            hasher.update(data: Data(entry.contentHash.utf8))
            hasher.update(data: [0])
        }
        self.hash = Hex.encode(hasher.finalize())
    }

    public var count: Int { entries.count }
}
