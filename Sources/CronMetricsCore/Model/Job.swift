import Foundation

/// A job definition as one file in `jobs.d` declares it (schema version 1).
public struct Job: Hashable, Sendable {
    /// The schema version this build reads and writes.
    public static let schemaVersion = 1

    public var jobName: String
    public var host: String
    public var threshold: Threshold
    public var status: Lifecycle
    public var maintenanceUntil: Date?
    /// Extra Prometheus labels, exported on `cronjob_status` in name order.
    public var labels: [String: String]
    /// Lowercase hex SHA-256 of the job's API key; the key itself is never stored.
    public var apiKeySHA256: String?
    public var description: String?

    public init(
        jobName: String,
        host: String,
        threshold: Threshold,
        status: Lifecycle = .active,
        maintenanceUntil: Date? = nil,
        labels: [String: String] = [:],
        apiKeySHA256: String? = nil,
        description: String? = nil
    ) {
        self.jobName = jobName
        self.host = host
        self.threshold = threshold
        self.status = status
        self.maintenanceUntil = maintenanceUntil
        self.labels = labels
        self.apiKeySHA256 = apiKeySHA256
        self.description = description
    }

    public var id: JobID { JobID(jobName: jobName, host: host) }
}
