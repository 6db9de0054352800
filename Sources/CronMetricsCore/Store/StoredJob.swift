import Foundation

/// A job as the database holds it: the definition, its file, and when it first appeared.
public struct StoredJob: Hashable, Sendable {
    public var job: Job
    public var path: String
    public var contentHash: String
    public var firstSeen: Date
}
