/// One setting of `cronmetrics.yaml`: its dotted key, type, default and the
/// environment variable that overrides it (`CRONMETRICS_<SECTION>_<KEY>`).
/// Settings are read by these constants (`settings.integer(.retentionDays)`),
/// never by string.
public struct ConfigKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string
        case integer(min: Int, max: Int)
        case boolean
        case list
        case choice([String])
        /// Whole seconds or a duration (`90s`, `10m`); empty allowed when the default is empty.
        case duration(min: Int, max: Int)
    }

    public let key: String
    public let kind: Kind
    /// The default as text (`""` for none; lists comma-separated).
    public let defaultValue: String
    /// Printed masked by `config show`.
    public let secret: Bool

    init(_ key: String, _ kind: Kind, default defaultValue: String = "", secret: Bool = false) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.secret = secret
    }

    public var environmentName: String {
        "CRONMETRICS_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    public static let listen = ConfigKey("server.listen", .string, default: "127.0.0.1:8080")
    public static let tlsCertFile = ConfigKey("server.tls.cert_file", .string)
    public static let tlsKeyFile = ConfigKey("server.tls.key_file", .string)
    public static let maxConnections = ConfigKey("server.max_connections", .integer(min: 16, max: 1_000_000), default: "4096")
    public static let headerTimeoutSeconds = ConfigKey("server.header_timeout_seconds", .integer(min: 1, max: 3600), default: "10")
    public static let bodyTimeoutSeconds = ConfigKey("server.body_timeout_seconds", .integer(min: 1, max: 3600), default: "30")
    public static let idleTimeoutSeconds = ConfigKey("server.idle_timeout_seconds", .integer(min: 1, max: 3600), default: "60")
    public static let maxBodyBytes = ConfigKey("server.max_body_bytes", .integer(min: 1024, max: 64 << 20), default: "1048576")
    public static let jobsDir = ConfigKey("jobs.dir", .string, default: "./jobs.d")
    public static let jobsWatch = ConfigKey("jobs.watch", .choice(["inotify", "poll", "off"]), default: "inotify")
    public static let pollIntervalSeconds = ConfigKey("jobs.poll_interval_seconds", .integer(min: 1, max: 3600), default: "2")
    public static let jobsReadOnly = ConfigKey("jobs.read_only", .boolean, default: "false")
    public static let database = ConfigKey("storage.database", .string, default: "./cronmetrics.db")
    public static let storageURL = ConfigKey("storage.url", .string)
    public static let storagePasswordFile = ConfigKey("storage.password_file", .string)
    public static let storagePasswordEnv = ConfigKey("storage.password_env", .string)
    public static let storageTLSMode = ConfigKey("storage.tls.mode", .choice(PostgresSettings.TLSMode.allCases.map(\.rawValue)), default: "verify-full")
    public static let storageTLSCAFile = ConfigKey("storage.tls.ca_file", .string)
    public static let storagePoolSize = ConfigKey("storage.pool_size", .integer(min: 1, max: 500), default: "10")
    public static let storageStatementTimeout = ConfigKey("storage.statement_timeout", .duration(min: 1, max: 3600), default: "30s")
    public static let storageConnectTimeout = ConfigKey("storage.connect_timeout", .duration(min: 1, max: 600), default: "5s")
    public static let adminAPIKeys = ConfigKey("security.admin_api_keys", .list, secret: true)
    public static let readAPIKeys = ConfigKey("security.read_api_keys", .list, secret: true)
    public static let retentionDays = ConfigKey("retention.days", .integer(min: 1, max: 36_500), default: "30")
    public static let keepLast = ConfigKey("retention.keep_last", .integer(min: 0, max: 1_000_000), default: "0")
    public static let rollupDays = ConfigKey("retention.rollup_days", .integer(min: 1, max: 36_500), default: "400")
    public static let auditDays = ConfigKey("retention.audit_days", .integer(min: 1, max: 36_500), default: "400")
    public static let redactOutput = ConfigKey("retention.redact_output", .boolean, default: "false")
    public static let redactPatterns = ConfigKey("retention.redact_patterns", .list)
    public static let maxOutputBytes = ConfigKey("retention.max_output_bytes", .integer(min: 0, max: 16 << 20), default: "65536")
    public static let logLevel = ConfigKey("log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info")
    public static let logFormat = ConfigKey("log.format", .choice(["text", "json"]), default: "text")
    public static let externalURL = ConfigKey("server.external_url", .string)
    public static let dashboardEnabled = ConfigKey("dashboard.enabled", .boolean, default: "true")
    public static let dashboardTitle = ConfigKey("dashboard.title", .string, default: "cronmetrics")
    public static let sessionTTL = ConfigKey("dashboard.session_ttl", .duration(min: 300, max: 30 * 86_400), default: "12h")
    public static let badgeKey = ConfigKey("dashboard.badge_key", .string, secret: true)
    public static let dashboardMaxStreams = ConfigKey("dashboard.max_streams", .integer(min: 0, max: 1_000_000), default: "0")
    public static let dashboardMaxStreamsPerSession = ConfigKey("dashboard.max_streams_per_session", .integer(min: 1, max: 100_000), default: "8")
    public static let trustedProxies = ConfigKey("server.trusted_proxies", .list)
    public static let notifyDefaultChannels = ConfigKey("notifications.default_channels", .list)
    public static let notifyRepeatInterval = ConfigKey("notifications.repeat_interval", .duration(min: 60, max: 365 * 86_400))
    public static let notifyRetryBase = ConfigKey("notifications.retry.base", .duration(min: 1, max: 3600), default: "1s")
    public static let notifyRetryCap = ConfigKey("notifications.retry.cap", .duration(min: 1, max: 86_400), default: "10m")
    public static let notifyRetryMaxAttempts = ConfigKey("notifications.retry.max_attempts", .integer(min: 1, max: 1000), default: "10")
    public static let notifyRetryMaxAge = ConfigKey("notifications.retry.max_age", .duration(min: 60, max: 30 * 86_400), default: "24h")
    public static let notifyTimeout = ConfigKey("notifications.timeout", .duration(min: 1, max: 600), default: "30s")
    public static let notifyConnectTimeout = ConfigKey("notifications.connect_timeout", .duration(min: 1, max: 600), default: "10s")
    public static let replicaName = ConfigKey("ha.replica_name", .string)
    public static let takeoverAfter = ConfigKey("ha.takeover_after", .duration(min: 1, max: 3600), default: "10s")
    public static let claimLease = ConfigKey("ha.claim_lease", .duration(min: 5, max: 86_400), default: "2m")
    public static let durationHistogram = ConfigKey("metrics.duration_histogram", .boolean, default: "false")

    /// Every setting, in the order `config show` prints them.
    public static let all: [ConfigKey] = [
        listen, tlsCertFile, tlsKeyFile, maxConnections, headerTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds,
        maxBodyBytes, trustedProxies, jobsDir, jobsWatch, pollIntervalSeconds, jobsReadOnly, database, storageURL, storagePasswordFile,
        storagePasswordEnv, storageTLSMode, storageTLSCAFile, storagePoolSize, storageStatementTimeout, storageConnectTimeout, adminAPIKeys, readAPIKeys, retentionDays, keepLast, rollupDays, auditDays,
        redactOutput, redactPatterns, maxOutputBytes, logLevel, logFormat, externalURL,
        dashboardEnabled, dashboardTitle, sessionTTL, badgeKey, dashboardMaxStreams, dashboardMaxStreamsPerSession,
        notifyDefaultChannels, notifyRepeatInterval, notifyRetryBase, notifyRetryCap, notifyRetryMaxAttempts,
        notifyRetryMaxAge, notifyTimeout, notifyConnectTimeout, replicaName, takeoverAfter, claimLease, durationHistogram,
    ]

    /// Keys under `notifications` that are not settings of their own: each
    /// channel is a mapping read by its own parser.
    static let channelsKey = "notifications.channels"

    public static let byKey: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}
