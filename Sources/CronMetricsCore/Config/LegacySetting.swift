/// A setting of the Go cron-exporter (its `config.yaml` keys and their
/// `CRONMETRICS_…` variables). Those with a counterpart are accepted as
/// deprecated aliases, with a warning naming the new key; the others are
/// named in a warning saying what to do instead, never silently ignored.
public struct LegacySetting: Sendable {
    /// The old dotted key, e.g. `server.port`.
    public let key: String
    /// What it sets now; nil when cronmetrics has no such setting.
    public let replacement: ConfigKey?
    /// For a setting without counterpart: why, and what to do.
    public let advice: String

    init(_ key: String, _ replacement: ConfigKey?, _ advice: String = "") {
        self.key = key
        self.replacement = replacement
        self.advice = advice
    }

    /// `CRONMETRICS_` and the key, dots as `_`, as the original's viper read it.
    public var environmentName: String {
        "CRONMETRICS_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The value the new key takes, or a problem. `server.host` and
    /// `server.port` each set one half of `server.listen`.
    func translate(_ value: String, listen: String) -> Result<String, LegacyProblem> {
        let (host, port) = Self.split(listen)
        switch key {
        case "server.host":
            guard !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "/" }) else {
                return .failure(LegacyProblem("'server.host' must be a host name or address (got \"\(value)\")"))
            }
            return .success(value.contains(":") && !value.hasPrefix("[") ? "[\(value)]:\(port)" : "\(value):\(port)")
        case "server.port":
            guard let number = Int(value), (1...65535).contains(number) else {
                return .failure(LegacyProblem("'server.port' must be a port from 1 to 65535 (got \"\(value)\")"))
            }
            return .success("\(host):\(number)")
        case "logging.level":
            // The original's logrus levels; ours are swift-log's.
            switch value.lowercased() {
            case "warn": return .success("warning")
            case "fatal", "panic": return .success("critical")
            default: return .success(value.lowercased())
            }
        default:
            return .success(value)
        }
    }

    static func split(_ listen: String) -> (host: String, port: String) {
        guard let colon = listen.lastIndex(of: ":") else { return (listen, "8080") }
        return (String(listen[..<colon]), String(listen[listen.index(after: colon)...]))
    }

    /// Every setting the original had, in its order.
    public static let all: [LegacySetting] = [
        LegacySetting("server.host", .listen),
        LegacySetting("server.port", .listen),
        LegacySetting("server.read_timeout", nil, "cronmetrics times out slow clients with server.header_timeout_seconds and server.body_timeout_seconds"),
        LegacySetting("server.write_timeout", nil, "no write timeout is needed: answers are small and written at once"),
        LegacySetting("server.idle_timeout", .idleTimeoutSeconds),
        LegacySetting("database.path", .database),
        LegacySetting("database.max_open_conns", .storagePoolSize),
        LegacySetting("database.max_idle_conns", nil, "SQLite connections are managed by cronmetrics"),
        LegacySetting("database.conn_max_lifetime", nil, "SQLite connections are managed by cronmetrics"),
        LegacySetting("metrics.path", nil, "metrics are always at /metrics; point Prometheus' metrics_path there"),
        LegacySetting("logging.level", .logLevel),
        LegacySetting("logging.format", .logFormat),
        LegacySetting("logging.output", nil, "logs go to standard error; redirect them, or let systemd or Docker collect them"),
        LegacySetting("security.api_keys", nil, "each job has its own key (api_key_sha256 in its file); `cronmetrics import cron-exporter` carries them over"),
        LegacySetting("security.require_https", nil, "HTTPS is on when server.tls.cert_file and server.tls.key_file are set"),
        LegacySetting("security.tls_cert_file", .tlsCertFile),
        LegacySetting("security.tls_key_file", .tlsKeyFile),
    ]

    public static let byKey: [String: LegacySetting] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// The entry for `key`, or for its section (`dashboard.enabled` is `dashboard`'s).
    static func find(_ key: String) -> LegacySetting? {
        if let exact = byKey[key] { return exact }
        let section = String(key.prefix { $0 != "." })
        guard let entry = byKey[section], entry.replacement == nil else { return nil }
        return entry
    }

    /// Whether `prefix` is a section of the original's file (so the walk goes in).
    static func isSection(_ prefix: String) -> Bool {
        all.contains { $0.key.hasPrefix(prefix + ".") }
    }
}

struct LegacyProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
