/// Every setting of `cronmetrics.yaml`: its dotted key, type, default and the
/// environment variable that overrides it (`CRONMETRICS_<SECTION>_<KEY>`).
public struct ConfigKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string
        case integer(min: Int, max: Int)
        case boolean
        case list
        case choice([String])
    }

    public let key: String
    public let kind: Kind
    /// The default as text (`""` for none; lists comma-separated).
    public let defaultValue: String
    /// Printed masked by `config show`.
    public let secret: Bool

    public var environmentName: String {
        "CRONMETRICS_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    public static let all: [ConfigKey] = [
        ConfigKey(key: "server.listen", kind: .string, defaultValue: "127.0.0.1:8080", secret: false),
        ConfigKey(key: "server.tls.cert_file", kind: .string, defaultValue: "", secret: false),
        ConfigKey(key: "server.tls.key_file", kind: .string, defaultValue: "", secret: false),
        ConfigKey(key: "server.max_connections", kind: .integer(min: 16, max: 1_000_000), defaultValue: "4096", secret: false),
        ConfigKey(key: "server.header_timeout_seconds", kind: .integer(min: 1, max: 3600), defaultValue: "10", secret: false),
        ConfigKey(key: "server.body_timeout_seconds", kind: .integer(min: 1, max: 3600), defaultValue: "30", secret: false),
        ConfigKey(key: "server.idle_timeout_seconds", kind: .integer(min: 1, max: 3600), defaultValue: "60", secret: false),
        ConfigKey(key: "server.max_body_bytes", kind: .integer(min: 1024, max: 64 << 20), defaultValue: "1048576", secret: false),
        ConfigKey(key: "jobs.dir", kind: .string, defaultValue: "./jobs.d", secret: false),
        ConfigKey(key: "jobs.watch", kind: .choice(["inotify", "poll", "off"]), defaultValue: "inotify", secret: false),
        ConfigKey(key: "jobs.poll_interval_seconds", kind: .integer(min: 1, max: 3600), defaultValue: "2", secret: false),
        ConfigKey(key: "storage.database", kind: .string, defaultValue: "./cronmetrics.db", secret: false),
        ConfigKey(key: "security.admin_api_keys", kind: .list, defaultValue: "", secret: true),
        ConfigKey(key: "retention.days", kind: .integer(min: 1, max: 36_500), defaultValue: "30", secret: false),
        ConfigKey(key: "retention.keep_last", kind: .integer(min: 0, max: 1_000_000), defaultValue: "0", secret: false),
        ConfigKey(key: "retention.redact_output", kind: .boolean, defaultValue: "false", secret: false),
        ConfigKey(key: "retention.redact_patterns", kind: .list, defaultValue: "", secret: false),
        ConfigKey(key: "retention.max_output_bytes", kind: .integer(min: 0, max: 16 << 20), defaultValue: "65536", secret: false),
        ConfigKey(key: "log.level", kind: .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), defaultValue: "info", secret: false),
        ConfigKey(key: "log.format", kind: .choice(["text", "json"]), defaultValue: "text", secret: false),
    ]

    public static let byKey: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}
