/// The keys of a version 1 job file, in the order files are written.
/// Field names are the same in YAML and in the JSON API.
public enum JobFileKey: String, CaseIterable, Sendable {
    case version
    case jobName = "job_name"
    case host
    case automaticFailureThreshold = "automatic_failure_threshold"
    case schedule
    case timezone
    case grace
    case maxRuntime = "max_runtime"
    case status
    case maintenanceUntil = "maintenance_until"
    case maintenanceWindows = "maintenance_windows"
    case labels
    case notify
    case alertAfter = "alert_after"
    case escalate
    case dependsOn = "depends_on"
    case slo
    case metrics
    case apiKeySHA256 = "api_key_sha256"
    case description

    /// Also one of `automatic_failure_threshold` and `schedule`.
    public static let required: [JobFileKey] = [.version, .jobName, .host]

    /// The known key closest to a misspelt one, if any is close enough to be a likely typo.
    static func suggestion(for unknown: String) -> JobFileKey? {
        Spelling.closest(to: unknown, in: allCases.map(\.rawValue)).flatMap(JobFileKey.init(rawValue:))
    }
}
