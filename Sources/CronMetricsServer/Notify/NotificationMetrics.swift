import CronMetricsCore
import Synchronization

/// The dispatcher's metrics: outcomes by channel, what waits or was given up
/// (refreshed from the outbox by the dispatcher, never queried per scrape),
/// and how long delivery took from queueing.
final class NotificationMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case delivered, retried, dead
    }

    /// Upper bounds of the latency histogram, in seconds.
    static let buckets: [Double] = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600]

    struct Histogram {
        var counts = [Int](repeating: 0, count: NotificationMetrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private let outcomes = Mutex([String: [Outcome: Int]]())
    private let queued = Mutex([String: [String: Int]]())
    private let latency = Mutex([String: Histogram]())
    /// Outbox reads and writes that failed, by channel: a worker goes on (the
    /// rows stay where they were) but says so here and in the log.
    private let errors = Mutex([String: Int]())

    func countError(channel: String) {
        errors.withLock { $0[channel, default: 0] += 1 }
    }

    func count(_ outcome: Outcome, channel: String) {
        outcomes.withLock { $0[channel, default: [:]][outcome, default: 0] += 1 }
    }

    func observe(latency seconds: Double, channel: String) {
        latency.withLock { all in
            var histogram = all[channel] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.count += 1
            histogram.sum += seconds
            all[channel] = histogram
        }
    }

    func setQueued(_ counts: [String: [String: Int]]) {
        queued.withLock { $0 = counts }
    }

    /// Every configured channel gets every series (zeros included), so rates
    /// and alerts work from the first scrape.
    func render(channels: [String], into out: inout [UInt8]) {
        let names = Array(Set(channels).union(outcomes.withLock { Set($0.keys) })).sorted()
        let outcomes = self.outcomes.withLock { $0 }
        let queued = self.queued.withLock { $0 }
        let latency = self.latency.withLock { $0 }
        let errors = self.errors.withLock { $0 }
        func line(_ text: String, _ value: Double) {
            out += Array(text.utf8)
            out.append(UInt8(ascii: " "))
            PrometheusText.appendNumber(value, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        func label(_ channel: String) -> String {
            var escaped: [UInt8] = []
            PrometheusText.appendEscaped(channel, to: &escaped)
            return "channel=\"" + String(decoding: escaped, as: UTF8.self) + "\""
        }
        PrometheusText.appendHeader(name: "cronmetrics_notifications_total", help: "Notification deliveries by channel and outcome.",
                                    type: "counter", to: &out)
        for name in names {
            for outcome in Outcome.allCases {
                line("cronmetrics_notifications_total{\(label(name)),outcome=\"\(outcome.rawValue)\"}", Double(outcomes[name]?[outcome] ?? 0))
            }
        }
        PrometheusText.appendHeader(name: "cronmetrics_notification_errors_total",
                                    help: "Outbox reads and writes of a channel's worker that failed (the rows stay queued).", type: "counter", to: &out)
        for name in Array(Set(names).union(errors.keys)).sorted() {
            line("cronmetrics_notification_errors_total{\(label(name))}", Double(errors[name] ?? 0))
        }
        PrometheusText.appendHeader(name: "cronmetrics_notifications_queued", help: "Notifications waiting (pending) or given up (dead), by channel.",
                                    type: "gauge", to: &out)
        for name in Array(Set(names).union(queued.keys)).sorted() {
            for state in ["pending", "dead"] {
                line("cronmetrics_notifications_queued{\(label(name)),state=\"\(state)\"}", Double(queued[name]?[state] ?? 0))
            }
        }
        PrometheusText.appendHeader(name: "cronmetrics_notification_delivery_seconds",
                                    help: "Time from queueing a notification to its delivery.", type: "histogram", to: &out)
        for name in names {
            let histogram = latency[name] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() {
                var le: [UInt8] = []
                PrometheusText.appendNumber(bound, to: &le)
                line("cronmetrics_notification_delivery_seconds_bucket{\(label(name)),le=\"\(String(decoding: le, as: UTF8.self))\"}",
                     Double(histogram.counts[index]))
            }
            line("cronmetrics_notification_delivery_seconds_bucket{\(label(name)),le=\"+Inf\"}", Double(histogram.count))
            line("cronmetrics_notification_delivery_seconds_sum{\(label(name))}", histogram.sum)
            line("cronmetrics_notification_delivery_seconds_count{\(label(name))}", Double(histogram.count))
        }
    }
}
