import CronMetricsCore
import Logging
import Synchronization

/// The settings a reload of the configuration file (SIGHUP, `POST /-/reload`)
/// changes while the server runs: admin keys, notifications, retention and
/// the log level. Readers take a snapshot; a reload swaps it whole.
final class RuntimeSettings: Sendable {
    struct Snapshot: Sendable {
        var adminKeyHashes: Set<String>
        var readKeyHashes: Set<String> = []
        var keyNames: [String: String] = [:]
        var badgeKeyHash: String?
        var notifications: NotificationSettings
        var retention: RetentionPolicy
        var logLevel: Logger.Level
    }

    private let current: Mutex<Snapshot>
    /// Read by every log handler on every call, so an atomic, not a lock.
    let logLevel: LogLevelControl

    init(_ configuration: ServerConfiguration, logLevel: LogLevelControl) {
        current = Mutex(Snapshot(adminKeyHashes: configuration.adminKeyHashes, readKeyHashes: configuration.readKeyHashes,
                                 keyNames: configuration.keyNames,
                                 badgeKeyHash: configuration.badgeKeyHash, notifications: configuration.notifications,
                                 retention: configuration.retention, logLevel: logLevel.level))
        self.logLevel = logLevel
    }

    var snapshot: Snapshot { current.withLock { $0 } }
    var adminKeyHashes: Set<String> { current.withLock { $0.adminKeyHashes } }
    /// Admin and read-only keys, for the auth middleware.
    var keys: AccessKeys { current.withLock { AccessKeys(admin: $0.adminKeyHashes, read: $0.readKeyHashes, names: $0.keyNames) } }
    var badgeKeyHash: String? { current.withLock { $0.badgeKeyHash } }
    var notifications: NotificationSettings { current.withLock { $0.notifications } }
    var retention: RetentionPolicy { current.withLock { $0.retention } }

    func replace(_ snapshot: Snapshot) {
        current.withLock { $0 = snapshot }
        logLevel.level = snapshot.logLevel
    }
}
