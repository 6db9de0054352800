import CronMetricsCore
import Foundation
import Logging

/// Everything the server needs to start, with the production defaults.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var jobsDirectory = "./jobs.d"
    /// The store: the SQLite file, or PostgreSQL.
    public var storage = StorageLocation.sqlite(path: "./cronmetrics.db")
    /// SHA-256 (lowercase hex) of each admin key: keys themselves are not kept.
    public var adminKeyHashes: Set<String> = []
    /// Keys for every GET of the API (403 on writes), as hashes.
    public var readKeyHashes: Set<String> = []
    /// The names of named admin and read-only keys, by hash (audit rows
    /// name the key that made a write; a key not here is named by a prefix
    /// of its hash, ``AccessKeyItem/defaultName(hash:)``).
    public var keyNames: [String: String] = [:]
    /// The secret in badge URLs (`/badge/{key}/…`), as its hash; nil: no badges.
    public var badgeKeyHash: String?
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes = 1 << 20
    /// The connection cap and the header, body and idle timeouts.
    public var connectionLimits = ConnectionLimits()
    /// A result's `output` is cut to its last this-many bytes.
    public var maxOutputBytes = 64 << 10
    /// How far in the future a submitted `timestamp` may lie (client clock skew).
    public var allowedClockSkew: TimeInterval = 300
    /// How often deadlines are checked and their bookkeeping saved.
    public var deadlineInterval: Duration = .seconds(1)
    /// How changes to `jobs.d` are noticed: inotify, a poll (network file
    /// systems, where inotify does not see changes made on other machines), or
    /// not at all (reload by SIGHUP or `POST /-/reload` only).
    public var jobsWatch: WatchMode = .inotify
    /// How often a poll looks at the tree's stamps.
    public var pollInterval: Duration = .seconds(2)
    /// Definitions change only in git: every write of a job through the API,
    /// the CLI with `--server` and the dashboard is refused with 409.
    public var jobsReadOnly = false
    /// PEM certificate chain and private key: both set means HTTPS.
    public var tlsCertificateFile, tlsKeyFile: String?
    /// Results older than this many days are purged (daily, and by `cronmetrics purge`).
    public var retentionDays = 30
    /// At least this many results per job are kept, however old.
    public var keepLast = 0
    /// The two together.
    /// How long rollups and flips are kept (`retention.rollup_days`).
    public var rollupDays = 400
    /// How long audit rows are kept (`retention.audit_days`).
    public var auditDays = 400
    public var retention: RetentionPolicy {
        RetentionPolicy(days: retentionDays, keepLast: keepLast, rollupDays: rollupDays, auditDays: auditDays)
    }
    /// Store no `output` at all.
    public var redactOutput = false
    /// Matches in `output` are replaced by `[REDACTED]` before anything is stored.
    public var redactPatterns: [RedactionPattern] = []
    /// Channels, routing and retries of notifications.
    public var notifications = NotificationSettings()
    /// The log level (a reload changes it in place).
    public var logLevel: Logger.Level = .info
    /// How often the dispatcher looks for work when idle, and for jobs to announce.
    public var notifyPollInterval: Duration = .milliseconds(250)
    public var announceInterval: Duration = .seconds(10)
    /// `metrics.duration_histogram`: every job exports `cronjob_duration_seconds`
    /// unless its file turns it off.
    public var durationHistogram = false
    /// How often the SLO figures of `/metrics` are counted from the rollups.
    public var objectiveInterval: Duration = .seconds(60)
    /// The dashboard: whether it is served, its title, how long a sign-in lasts.
    public var dashboard = DashboardSettings()
    /// `server.trusted_proxies`: where a request's client address is read
    /// from `X-Forwarded-For` (``ClientAddress``).
    public var clientAddress = ClientAddress()

    /// Several replicas on one PostgreSQL: this one's name, when followers
    /// take over overdue deadlines, how long a notification claim lasts.
    public var ha = HASettings()

    /// The production defaults; set what differs (`configuration.port = 9090`).
    public init() {}

    /// At most this many dashboard event streams: `dashboard.max_streams`,
    /// else a quarter of `server.max_connections`, so open pages always leave
    /// three quarters of the connections to submissions, pings and scrapes.
    public var maxDashboardStreams: Int {
        dashboard.maxStreams ?? max(1, connectionLimits.maxConnections / 4)
    }

    /// What a result's `output` becomes before it is stored: nothing when
    /// redaction is on, else with every pattern's matches masked, then cut to
    /// its last `maxOutputBytes` bytes.
    public func storedOutput(_ output: String?) -> String? {
        guard let output, !redactOutput else { return nil }
        // PostgreSQL's text cannot hold NUL: one would fail the batch it is in.
        var text = output.contains("\u{0}") ? output.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : output
        for pattern in redactPatterns {
            text = text.replacing(pattern.regex, with: "[REDACTED]")
        }
        return text.utf8Tail(maxBytes: maxOutputBytes)
    }

    /// Admin keys from settings: each a key, or `sha256:<hex>` of one (so a
    /// committed file need not hold the key), optionally named
    /// (``AccessKeyItem``). Blank entries are ignored.
    public static func adminKeyHashes(from keys: [String]) -> Set<String> {
        Set(keys.compactMap { AccessKeyItem(parsing: $0)?.hash })
    }

    /// The badge key's hash: the key, or `sha256:<hex>` of it (never a named key).
    static func badgeKeyHash(_ item: String) -> String {
        let key = item.trimmingCharacters(in: .whitespaces)
        if key.hasPrefix("sha256:"), APIKeyHash.isValidHex(String(key.dropFirst(7))) { return String(key.dropFirst(7)) }
        return APIKeyHash.sha256Hex(of: key)
    }

    /// Names audit rows use for other actors, and the prefix of unnamed keys:
    /// no key may take them.
    static func isReservedKeyName(_ name: String) -> Bool {
        ["git", "unknown", "local"].contains(name.lowercased()) || name.lowercased().hasPrefix("key-")
    }

    /// The names given to admin and read-only keys, by hash.
    /// - Returns: the names, and a problem for each name given to two keys
    ///   or key given two names.
    static func keyNames(admin: [String], read: [String]) -> (names: [String: String], problems: [String]) {
        var names: [String: String] = [:]
        var owners: [String: String] = [:]
        var problems: [String] = []
        for item in (admin + read).compactMap({ AccessKeyItem(parsing: $0) }) {
            guard let name = item.name else { continue }
            if isReservedKeyName(name) {
                problems.append("security: the key name '\(name)' is reserved (git, unknown, local and key-… name other actors); choose another")
            } else if let owner = owners[name], owner != item.hash {
                problems.append("security: the key name '\(name)' is given to two different keys; each key needs its own name")
            } else if let other = names[item.hash], other != name {
                problems.append("security: one key is named both '\(other)' and '\(name)'")
            }
            owners[name] = item.hash
            names[item.hash] = names[item.hash] ?? name
        }
        return (names, problems)
    }

    /// Parses `HOST:PORT` (`[::1]:8080` for IPv6).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}
