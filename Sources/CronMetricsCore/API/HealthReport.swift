import Foundation

/// `GET /health`: liveness for everyone; for admin keys, the job count and the
/// last reload's outcome.
public struct HealthReport: Codable, Sendable {
    public struct Reload: Codable, Sendable {
        public var successful: Bool
        public var at: Date?
        public var lastSuccess: Date?
        public var configHash: String
        public var errors: [String]

        public init(successful: Bool, at: Date?, lastSuccess: Date?, configHash: String, errors: [String]) {
            self.successful = successful
            self.at = at
            self.lastSuccess = lastSuccess
            self.configHash = configHash
            self.errors = errors
        }
    }

    /// A replica sharing the store, as its heartbeat row says.
    public struct Replica: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var treeDigest: String?
        public var heartbeatAt: Date
        public var leader: Bool
        /// Serves the same `jobs.d` digest as the replica answering.
        public var sameTree: Bool

        public init(name: String, version: String, treeDigest: String?, heartbeatAt: Date, leader: Bool, sameTree: Bool) {
            (self.name, self.version, self.treeDigest) = (name, version, treeDigest)
            (self.heartbeatAt, self.leader, self.sameTree) = (heartbeatAt, leader, sameTree)
        }
    }

    public var status: String
    /// The binary's version and the server's clock, as the Go cron-exporter answered.
    public var version: String
    public var timestamp: Date
    public var jobs: Int?
    public var lastReload: Reload?
    /// This replica's name, the leader's (nil while none leads or the store
    /// does not answer), whether the store answers, and (PostgreSQL) every
    /// replica heard from with whether all serve the same tree.
    public var replica: String?
    public var leader: String?
    public var storeUp: Bool?
    public var replicas: [Replica]?
    public var treesAgree: Bool?

    public init(status: String = "ok", version: String = CronMetricsVersion.current, timestamp: Date, jobs: Int? = nil, lastReload: Reload? = nil) {
        self.status = status
        self.version = version
        self.timestamp = timestamp
        self.jobs = jobs
        self.lastReload = lastReload
    }
}
