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

    public var status: String
    /// The binary's version and the server's clock, as the Go cron-exporter answered.
    public var version: String
    public var timestamp: Date
    public var jobs: Int?
    public var lastReload: Reload?

    public init(status: String = "ok", version: String = CronMetricsVersion.current, timestamp: Date, jobs: Int? = nil, lastReload: Reload? = nil) {
        self.status = status
        self.version = version
        self.timestamp = timestamp
        self.jobs = jobs
        self.lastReload = lastReload
    }
}
