import CronMetricsCore

/// The keys in force, as SHA-256 hashes: admin keys for everything, read-only
/// keys for every GET of the API.
struct AccessKeys: Sendable {
    enum Access { case admin, read }

    var admin: Set<String>
    var read: Set<String>

    var isEmpty: Bool { admin.isEmpty && read.isEmpty }

    /// What `key` may do, or nil for an unknown key: one hash and two set
    /// lookups whatever the key (no byte comparison to time).
    func access(_ key: String) -> Access? {
        let hash = APIKeyHash.sha256Hex(of: key)
        if admin.contains(hash) { return .admin }
        if read.contains(hash) { return .read }
        return nil
    }
}
