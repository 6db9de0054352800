import Crypto
import Foundation

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
