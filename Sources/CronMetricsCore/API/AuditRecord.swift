import Foundation

/// One audit row as `GET /api/audit` and `cronmetrics audit` show it.
public struct AuditRecord: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var role: String
    public var route: String
    public var action: String
    public var jobId: String?
    public var path: String?
    public var hashBefore: String?
    public var hashAfter: String?
    public var requestId: String?
    public var commit: String?
    public var detail: String?
}

/// A page of audit rows, newest first.
public struct AuditPage: Codable, Sendable {
    public var entries: [AuditRecord]
    /// Pass as `before` for the next page; nil on the last one.
    public var nextBefore: Int64?
}

/// Which audit rows to list.
public struct AuditFilter: Sendable, Hashable {
    public var job: String?
    public var actor: String?

    public init(job: String? = nil, actor: String? = nil) {
        self.job = job
        self.actor = actor
    }
}
