/// The keys of a version 1 job file, in the order files are written.
/// Field names are the same in YAML and in the JSON API.
public enum JobFileKey: String, CaseIterable, Sendable {
    case version
    case jobName = "job_name"
    case host
    case automaticFailureThreshold = "automatic_failure_threshold"
    case status
    case maintenanceUntil = "maintenance_until"
    case labels
    case apiKeySHA256 = "api_key_sha256"
    case description

    static let required: [JobFileKey] = [.version, .jobName, .host, .automaticFailureThreshold]

    /// The known key closest to a misspelt one, if any is close enough to be a likely typo.
    static func suggestion(for unknown: String) -> JobFileKey? {
        let lowered = unknown.lowercased()
        var best: (key: JobFileKey, distance: Int)?
        for key in allCases {
            let distance = editDistance(lowered, key.rawValue)
            if distance <= max(2, key.rawValue.count / 4), distance < (best?.distance ?? .max) {
                best = (key, distance)
            }
        }
        return best?.key
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
