import CronMetricsCore
import Foundation
import Synchronization

/// The server's own metrics and the outcome of the last reload.
final class ServerMetrics: Sendable {
    struct Reload: Sendable {
        var successful = false
        var lastAttempt: Date?
        var lastSuccess: Date?
        var configHash = ""
        var errors: [String] = []
    }

    private let submissions = Mutex([SubmissionOutcome: Int]())
    /// The store's count of rows it could not read (``CorruptRows``).
    private let corruptRows: CorruptRows
    private let reload = Mutex(Reload())
    /// The last reload of the configuration file: 1 applied (or none yet), 0 refused.
    private let settingsReload = Mutex(true)

    /// Replicas on PostgreSQL: who this one is and whether it leads.
    private let leadership: Leadership?
    /// Whether the store answered the last probe (``StoreProbe``).
    private let storeUp = Atomic(true)

    init(corruptRows: CorruptRows, leadership: Leadership? = nil) {
        self.corruptRows = corruptRows
        self.leadership = leadership
    }

    /// - Returns: whether this changed it.
    @discardableResult
    func setStoreUp(_ up: Bool) -> Bool {
        storeUp.exchange(up, ordering: .acquiringAndReleasing) != up
    }

    var isStoreUp: Bool { storeUp.load(ordering: .acquiring) }

    /// This replica's name when replicas share the store; nil alone.
    var replicaName: String? { leadership?.replicaName }

    func settingsReloaded(successful: Bool) {
        settingsReload.withLock { $0 = successful }
    }

    func count(_ outcome: SubmissionOutcome) {
        submissions.withLock { $0[outcome, default: 0] += 1 }
    }

    func reloaded(at time: Date, hash: String) {
        reload.withLock {
            $0.successful = true
            $0.lastAttempt = time
            $0.lastSuccess = time
            $0.configHash = hash
            $0.errors = []
        }
    }

    func reloadFailed(at time: Date, errors: [String]) {
        reload.withLock {
            $0.successful = false
            $0.lastAttempt = time
            $0.errors = errors
        }
    }

    var lastReload: Reload {
        reload.withLock { $0 }
    }

    func render(into out: inout [UInt8]) {
        let reload = lastReload
        func gauge(_ name: String, _ help: String, _ value: Double) {
            PrometheusText.appendHeader(name: name, help: help, type: "gauge", to: &out)
            out += Array("\(name) ".utf8)
            PrometheusText.appendNumber(value, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        gauge("cronmetrics_config_last_reload_successful", "Whether the last reload of jobs.d succeeded.", reload.successful ? 1 : 0)
        gauge("cronmetrics_config_last_reload_success_timestamp_seconds", "Unix time of the last successful reload of jobs.d.",
              reload.lastSuccess?.timeIntervalSince1970 ?? 0)
        // The first 48 bits of the catalog's SHA-256: exact as a float, enough to see a change.
        let hashValue = UInt64(reload.configHash.prefix(12), radix: 16) ?? 0
        gauge("cronmetrics_settings_last_reload_successful", "Whether the last reload of the configuration file succeeded (1 before any).",
              settingsReload.withLock { $0 } ? 1 : 0)
        gauge("cronmetrics_config_hash", "Hash of the loaded jobs.d (first 48 bits of its SHA-256).", Double(hashValue))
        PrometheusText.appendHeader(name: "cronmetrics_build_info", help: "Build information; always 1.", type: "gauge", to: &out)
        out += Array("cronmetrics_build_info{version=\"\(CronMetricsVersion.current)\"} 1\n".utf8)
        PrometheusText.appendHeader(name: "cronmetrics_result_submissions_total", help: "Result submissions by outcome.", type: "counter", to: &out)
        let counts = submissions.withLock { $0 }
        for outcome in SubmissionOutcome.allCases {
            out += Array("cronmetrics_result_submissions_total{outcome=\"\(outcome.rawValue)\"} ".utf8)
            PrometheusText.appendInteger(Int64(counts[outcome] ?? 0), to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        PrometheusText.appendHeader(name: "cronmetrics_store_corrupt_rows_total",
                                    help: "Stored rows that could not be read (logged and left out).", type: "counter", to: &out)
        out += Array("cronmetrics_store_corrupt_rows_total ".utf8)
        PrometheusText.appendInteger(Int64(corruptRows.total), to: &out)
        out.append(UInt8(ascii: "\n"))
        gauge("cronmetrics_store_up", "Whether the store answered its last probe (every second); 0: submissions get 503.", isStoreUp ? 1 : 0)
        if let leadership {
            gauge("cronmetrics_leader", "1 on the replica that leads (runs deadlines and retention for all).", leadership.isLeader ? 1 : 0)
            PrometheusText.appendHeader(name: "cronmetrics_jobs_tree_info",
                                        help: "The digest of the jobs.d this replica serves (cronmetrics_config_hash in full); replicas that differ disagree.",
                                        type: "gauge", to: &out)
            out += Array("cronmetrics_jobs_tree_info{digest=\"\(reload.configHash)\"} 1\n".utf8)
        }
    }
}
