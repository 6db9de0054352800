import CronMetricsCore
import Foundation
import Logging

/// Reads the configuration file again on SIGHUP and `POST /-/reload`, like
/// the job tree: parse, validate everything, then swap. What can change while
/// running changes at once (admin keys, notification channels and routing,
/// retention, the log level); a changed setting that needs a restart (where
/// to listen, the database, the jobs folder, limits, TLS files, redaction) is
/// logged as such and keeps its running value; an invalid file changes nothing.
struct SettingsReloader: Sendable {
    enum Outcome: Sendable {
        /// Nothing to read (no configuration loader), or nothing changed.
        case unchanged
        /// Applied; the named settings need a restart to take effect.
        case applied(needsRestart: [String])
        case failed([String])
    }

    /// Reads and checks the configuration as `serve` does; nil when the
    /// server was not started from one (tests).
    let load: (@Sendable () throws -> ServerConfiguration)?
    let running: ServerConfiguration
    let runtime: RuntimeSettings
    let registry: JobRegistry
    let metrics: ServerMetrics
    let logger: Logger

    /// Reads, checks and applies the configuration. SIGHUP and
    /// `POST /-/reload` may ask at once: the read and the swap happen on the
    /// registry's actor without a suspension between them, so reloads never
    /// interleave and the file read last is the one in force.
    func reload() async -> Outcome {
        guard load != nil else { return .unchanged }
        return await registry.exclusively { registry in reloadNow(registry) }
    }

    private func reloadNow(_ registry: isolated JobRegistry) -> Outcome {
        guard let load else { return .unchanged }
        let next: ServerConfiguration
        do {
            next = try load()
        } catch {
            let problems = (error as? ConfigError)?.problems ?? ["\(error)"]
            return refuse(problems)
        }
        let problems = registry.setChannels(Set(next.notifications.channels.keys))
        guard problems.isEmpty else { return refuse(problems) }
        runtime.replace(.init(adminKeyHashes: next.adminKeyHashes, readKeyHashes: next.readKeyHashes, keyNames: next.keyNames, badgeKeyHash: next.badgeKeyHash,
                              notifications: next.notifications,
                              retention: next.retention, logLevel: next.logLevel))
        metrics.settingsReloaded(successful: true)
        let restart = Self.needsRestart(running, next)
        for name in restart {
            logger.warning("configuration changed a setting that takes effect on restart; keeping the running value", metadata: ["setting": .string(name)])
        }
        logger.info("configuration reloaded", metadata: [
            "admin_keys": "\(next.adminKeyHashes.count)", "channels": .string(next.notifications.channels.keys.sorted().joined(separator: ",")),
            "log_level": .string(next.logLevel.rawValue),
        ])
        return .applied(needsRestart: restart)
    }

    private func refuse(_ problems: [String]) -> Outcome {
        metrics.settingsReloaded(successful: false)
        for problem in problems {
            logger.error("configuration reload refused; keeping the running configuration", metadata: ["error": .string(problem)])
        }
        return .failed(problems)
    }

    /// The settings that differ and are read only at start.
    static func needsRestart(_ old: ServerConfiguration, _ new: ServerConfiguration) -> [String] {
        var names: [String] = []
        func check(_ name: String, _ changed: Bool) { if changed { names.append(name) } }
        check("server.listen", old.host != new.host || old.port != new.port)
        check("jobs.dir", old.jobsDirectory != new.jobsDirectory)
        check("jobs.read_only", old.jobsReadOnly != new.jobsReadOnly)
        check("storage", old.storage != new.storage)
        check("jobs.watch", old.jobsWatch != new.jobsWatch || old.pollInterval != new.pollInterval)
        check("server.max_body_bytes", old.maxBodyBytes != new.maxBodyBytes)
        check("server limits", old.connectionLimits.maxConnections != new.connectionLimits.maxConnections
            || old.connectionLimits.headerTimeout != new.connectionLimits.headerTimeout
            || old.connectionLimits.bodyTimeout != new.connectionLimits.bodyTimeout
            || old.connectionLimits.idleTimeout != new.connectionLimits.idleTimeout)
        check("server.tls", old.tlsCertificateFile != new.tlsCertificateFile || old.tlsKeyFile != new.tlsKeyFile)
        check("retention redaction", old.redactOutput != new.redactOutput || old.maxOutputBytes != new.maxOutputBytes
            || old.redactPatterns.map(\.source) != new.redactPatterns.map(\.source))
        check("dashboard", old.dashboard != new.dashboard)
        check("server.trusted_proxies", old.clientAddress.trustedProxies != new.clientAddress.trustedProxies)
        check("metrics.duration_histogram", old.durationHistogram != new.durationHistogram)
        return names
    }
}
