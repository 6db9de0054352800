import CronMetricsCore

extension ServerConfiguration {
    /// The server's configuration from resolved settings, checked as a whole:
    /// the listen address parses, TLS files come in pairs, patterns compile.
    ///
    /// - Throws: ``ConfigError`` with every problem, each naming its setting and source.
    public init(settings: AppConfiguration) throws(ConfigError) {
        var problems: [String] = []
        func source(_ key: ConfigKey) -> String { settings.setting(key)?.source ?? "default" }
        let listen = settings.string(.listen)
        let address = Self.parseListen(listen)
        if address == nil {
            problems.append("server.listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got \(listen); from \(source(.listen)))")
        }
        var patterns: [RedactionPattern] = []
        for pattern in settings.list(.redactPatterns) {
            do {
                patterns.append(try RedactionPattern(pattern))
            } catch {
                problems.append("retention.redact_patterns: '\(pattern)' is not a valid regular expression: \(error) (from \(source(.redactPatterns)))")
            }
        }
        let certificate = settings.optionalString(.tlsCertFile), key = settings.optionalString(.tlsKeyFile)
        if (certificate == nil) != (key == nil) {
            problems.append("server.tls.cert_file and server.tls.key_file go together: give both or neither")
        }
        guard problems.isEmpty, let address else { throw ConfigError(problems) }
        self.init(
            host: address.host, port: address.port,
            jobsDirectory: settings.string(.jobsDir),
            databasePath: settings.string(.database),
            adminKeyHashes: Self.adminKeyHashes(from: settings.list(.adminAPIKeys)),
            maxBodyBytes: settings.integer(.maxBodyBytes),
            connectionLimits: ConnectionLimits(
                maxConnections: settings.integer(.maxConnections),
                headerTimeout: .seconds(settings.integer(.headerTimeoutSeconds)),
                bodyTimeout: .seconds(settings.integer(.bodyTimeoutSeconds)),
                idleTimeout: .seconds(settings.integer(.idleTimeoutSeconds))),
            maxOutputBytes: settings.integer(.maxOutputBytes),
            jobsWatch: WatchMode(rawValue: settings.string(.jobsWatch)) ?? .inotify,
            pollInterval: .seconds(settings.integer(.pollIntervalSeconds)),
            tlsCertificateFile: certificate,
            tlsKeyFile: key,
            retentionDays: settings.integer(.retentionDays),
            keepLast: settings.integer(.keepLast),
            redactOutput: settings.boolean(.redactOutput),
            redactPatterns: patterns)
    }
}
