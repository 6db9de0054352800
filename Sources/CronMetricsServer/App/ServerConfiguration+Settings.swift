import Foundation
import Logging
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
        let channels = Set(settings.channels.map(\.name))
        for name in settings.list(.notifyDefaultChannels) where !channels.contains(name) {
            let guess = Spelling.closest(to: name, in: channels).map { " (did you mean '\($0)'?)" } ?? ""
            problems.append("notifications.default_channels: no channel '\(name)'\(guess) under notifications.channels (from \(source(.notifyDefaultChannels)))")
        }
        let externalURL = settings.optionalString(.externalURL)
        if let externalURL, URLComponents(string: externalURL)?.host == nil || !externalURL.lowercased().hasPrefix("http") {
            problems.append("server.external_url must be an http:// or https:// URL, e.g. https://cron.example.com (from \(source(.externalURL)))")
        }
        var proxies: [IPNetwork] = []
        for item in settings.list(.trustedProxies) {
            if let network = IPNetwork(item) {
                proxies.append(network)
            } else {
                problems.append("server.trusted_proxies: '\(item)' is not an address or CIDR range such as 10.0.0.0/8 or fd00::/8 (from \(source(.trustedProxies)))")
            }
        }
        var storage = StorageLocation.sqlite(path: settings.string(.database))
        do {
            storage = try StorageLocation(settings: settings)
        } catch {
            problems += error.problems
        }
        let named = Self.keyNames(admin: settings.list(.adminAPIKeys), read: settings.list(.readAPIKeys))
        problems += named.problems
        guard problems.isEmpty, let address else { throw ConfigError(problems) }
        let retry = RetryPolicy(base: Double(settings.seconds(.notifyRetryBase) ?? 1), cap: Double(settings.seconds(.notifyRetryCap) ?? 600),
                                maxAttempts: settings.integer(.notifyRetryMaxAttempts),
                                maxAge: Double(settings.seconds(.notifyRetryMaxAge) ?? 86_400))
        let notifications = NotificationSettings(
            channels: settings.channels, defaultChannels: settings.list(.notifyDefaultChannels),
            repeatInterval: settings.seconds(.notifyRepeatInterval).map(Double.init), retry: retry,
            timeout: Double(settings.seconds(.notifyTimeout) ?? 30), connectTimeout: Double(settings.seconds(.notifyConnectTimeout) ?? 10),
            externalURL: externalURL)
        self.init()
        host = address.host
        port = address.port
        jobsDirectory = settings.string(.jobsDir)
        self.storage = storage
        adminKeyHashes = Self.adminKeyHashes(from: settings.list(.adminAPIKeys))
        readKeyHashes = Self.adminKeyHashes(from: settings.list(.readAPIKeys))
        keyNames = named.names
        badgeKeyHash = settings.optionalString(.badgeKey).map(Self.badgeKeyHash)
        maxBodyBytes = settings.integer(.maxBodyBytes)
        connectionLimits = ConnectionLimits(
            maxConnections: settings.integer(.maxConnections), headerTimeout: .seconds(settings.integer(.headerTimeoutSeconds)),
            bodyTimeout: .seconds(settings.integer(.bodyTimeoutSeconds)), idleTimeout: .seconds(settings.integer(.idleTimeoutSeconds)))
        maxOutputBytes = settings.integer(.maxOutputBytes)
        jobsWatch = WatchMode(rawValue: settings.string(.jobsWatch)) ?? .inotify
        pollInterval = .seconds(settings.integer(.pollIntervalSeconds))
        jobsReadOnly = settings.boolean(.jobsReadOnly)
        (tlsCertificateFile, tlsKeyFile) = (certificate, key)
        retentionDays = settings.integer(.retentionDays)
        keepLast = settings.integer(.keepLast)
        rollupDays = settings.integer(.rollupDays)
        auditDays = settings.integer(.auditDays)
        durationHistogram = settings.boolean(.durationHistogram)
        redactOutput = settings.boolean(.redactOutput)
        redactPatterns = patterns
        self.notifications = notifications
        logLevel = Logger.Level(rawValue: settings.string(.logLevel)) ?? .info
        dashboard = DashboardSettings(enabled: settings.boolean(.dashboardEnabled), title: settings.string(.dashboardTitle),
                                      sessionTTL: Double(settings.seconds(.sessionTTL) ?? 43_200),
                                      secureCookies: certificate != nil || externalURL?.lowercased().hasPrefix("https://") == true,
                                      maxStreams: settings.integer(.dashboardMaxStreams) == 0 ? nil : settings.integer(.dashboardMaxStreams),
                                      maxStreamsPerSession: settings.integer(.dashboardMaxStreamsPerSession))
        clientAddress = ClientAddress(trustedProxies: proxies)
        ha = HASettings(replicaName: settings.optionalString(.replicaName), takeoverAfter: .seconds(settings.seconds(.takeoverAfter) ?? 10),
                        claimLease: .seconds(settings.seconds(.claimLease) ?? 120))
    }
}
