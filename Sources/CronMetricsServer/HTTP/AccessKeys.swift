import CronMetricsCore

/// The keys in force, as SHA-256 hashes: admin keys for everything, read-only
/// keys for every GET of the API.
struct AccessKeys: Sendable {
    enum Access { case admin, read }

    var admin: Set<String>
    var read: Set<String>
    /// Names by hash; others are named by a prefix of their hash.
    var names: [String: String] = [:]

    var isEmpty: Bool { admin.isEmpty && read.isEmpty }

    /// The name audit rows give the key with this hash.
    func name(ofHash hash: String) -> String {
        names[hash] ?? AccessKeyItem.defaultName(hash: hash)
    }

    /// What `key` may do, or nil for an unknown key: one hash and two set
    /// lookups whatever the key (no byte comparison to time).
    func access(_ key: String) -> Access? {
        identify(key)?.access
    }

    /// What `key` may do and its name, or nil for an unknown key.
    func identify(_ key: String) -> (access: Access, name: String)? {
        let hash = APIKeyHash.sha256Hex(of: key)
        if admin.contains(hash) { return (.admin, name(ofHash: hash)) }
        if read.contains(hash) { return (.read, name(ofHash: hash)) }
        return nil
    }
}
