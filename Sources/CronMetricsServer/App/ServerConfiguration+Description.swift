import CronMetricsCore

/// What a configuration prints when interpolated: where it listens and reads,
/// and how many keys, never a key, a key's hash or a channel's secret.
extension ServerConfiguration: CustomStringConvertible {
    public var description: String {
        "ServerConfiguration(listen: \(host):\(port), jobs: \(jobsDirectory), storage: \(storage), "
            + "admin keys: \(adminKeyHashes.count), read keys: \(readKeyHashes.count), badge key: \(badgeKeyHash == nil ? "none" : "set"), "
            + "tls: \(tlsCertificateFile != nil), \(notifications))"
    }
}

extension RuntimeSettings: CustomStringConvertible {
    var description: String { "RuntimeSettings(\(snapshot))" }
}

extension RuntimeSettings.Snapshot: CustomStringConvertible {
    var description: String {
        "admin keys: \(adminKeyHashes.count), read keys: \(readKeyHashes.count), badge key: \(badgeKeyHash == nil ? "none" : "set"), "
            + "\(notifications), log level: \(logLevel)"
    }
}

extension AccessKeys: CustomStringConvertible {
    var description: String { "AccessKeys(admin: \(admin.count), read: \(read.count))" }
}

extension SessionSigner: CustomStringConvertible {
    var description: String { "SessionSigner(ttl: \(ttl), secure: \(secure))" }
}
