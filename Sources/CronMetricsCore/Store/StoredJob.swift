import Foundation

/// A job as the database holds it: the definition, its file, and when it first appeared.
public struct StoredJob: Hashable, Sendable {
    public var job: Job
    public var path: String
    public var contentHash: String
    public var firstSeen: Date

    public init(job: Job, path: String, contentHash: String, firstSeen: Date) {
        self.job = job
        self.path = path
        self.contentHash = contentHash
        self.firstSeen = firstSeen
    }
}
