import CronMetricsCore
import Foundation

/// A job page's history: the strip of its last 90 days in its time zone,
/// its statistics over 24h, 7d, 30d and 90d, its duration percentiles a day,
/// and its latest changes of state.
struct JobHistoryModel: Sendable {
    static let stripDays = 90
    static let windows = ["24h", "7d", "30d", "90d"]

    struct Cell: Sendable {
        var state, date, text: String
    }

    struct StatisticsRow: Sendable {
        var window, runs, successRatio, uptimeRatio, p50, p95, p99, max, longestOutage, meanTimeBetweenFailures: String
    }

    struct FlipItem: Sendable {
        var at, atTitle, atText, from, to, reason: String
        var until: String?
    }

    var zone: String
    /// Days do not start on the hour in the zone: say they were rounded.
    var rounded: Bool
    var strip: [Cell]
    var summary: String
    var statistics: [StatisticsRow]
    var percentiles: String?
    var flips: [FlipItem]

    init(job: Job, days: [DayStrip.Cell], statistics: [(String, JobStatistics)], flips: [Flip], now: Date) {
        let zone = job.zone.zone
        self.zone = zone.identifier
        rounded = zone.secondsFromGMT(for: now) % 3_600 != 0
        strip = days.map { cell in Cell(state: cell.state.rawValue, date: cell.day.date, text: Self.describe(cell)) }
        let counted = days.filter { $0.state != .off }
        let failing = days.filter { $0.state == .failing }.count
        summary = counted.isEmpty ? "not counted on any day" : "\(failing) of \(counted.count) days counted had a failure"
        self.statistics = statistics.map { name, stats in
            StatisticsRow(window: name, runs: String(stats.runs), successRatio: Self.percent(stats.successRatio),
                          uptimeRatio: Self.percent(stats.uptimeRatio), p50: Self.seconds(stats.duration.p50),
                          p95: Self.seconds(stats.duration.p95), p99: Self.seconds(stats.duration.p99),
                          max: Self.seconds(stats.duration.max), longestOutage: Self.seconds(stats.longestOutageSeconds),
                          meanTimeBetweenFailures: Self.seconds(stats.meanTimeBetweenFailuresSeconds))
        }
        percentiles = PercentileChart.svg(days)
        self.flips = flips.map { flip in
            FlipItem(at: RFC3339.format(flip.at), atTitle: TimeWords.absolute(flip.at), atText: TimeWords.relative(flip.at, now: now),
                     from: flip.from ?? "—", to: flip.to, reason: flip.reason, until: flip.until.map(TimeWords.absolute))
        }
    }

    /// A cell's text (its tooltip, and what a screen reader reads).
    static func describe(_ cell: DayStrip.Cell) -> String {
        let counts = cell.counts
        var parts = ["\(cell.day.date): " + ["failing": "failing", "ok": "all runs succeeded", "quiet": "no run, not failing",
                                             "off": "not counted (paused, maintenance or not there)"][cell.state.rawValue, default: ""]]
        if counts.runs > 0 {
            parts.append("\(counts.runs) runs: \(counts.successes) succeeded, \(counts.failures) failed, "
                         + "\(counts.missedDeadlines) missed, \(counts.timeouts) timed out")
        }
        if cell.failingSeconds > 0 { parts.append("failing for \(TimeWords.duration(cell.failingSeconds))") }
        return parts.joined(separator: "; ")
    }

    static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "—" }
        let value = ratio * 100
        return value == 100 ? "100%" : String(format: value >= 99 ? "%.2f%%" : "%.1f%%", value)
    }

    static func seconds(_ value: Double?) -> String { value.map(TimeWords.duration) ?? "—" }
}

/// The duration percentiles of a job's days as three lines (p50, p95, p99),
/// drawn by the server like ``DurationChart``; days without durations leave gaps.
enum PercentileChart {
    static let width = 600.0, height = 140.0

    static func svg(_ days: [DayStrip.Cell]) -> String? {
        let quantiles = [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")]
        let values = days.map { day in quantiles.map { day.counts.durations.quantile($0.0) } }
        let top = values.joined().compactMap { $0 }.max()
        guard let top, top > 0 else { return nil }
        let slot = width / Double(max(days.count - 1, 1))
        var out = """
            <svg class="chart percentiles" viewBox="0 0 \(Int(width)) \(Int(height) + 2)" preserveAspectRatio="none" role="img" \
            aria-label="Run durations a day over \(days.count) days: median, 95th and 99th percentile; the highest \(TimeWords.duration(top))">
            <line class="axis" x1="0" y1="\(height + 1)" x2="\(width)" y2="\(height + 1)"/>
            """
        for (index, quantile) in quantiles.enumerated() {
            // A line through the days with durations, and a dot on each (a lone day is a dot).
            var path = "", dots = "", pen = "M"
            for (day, value) in values.enumerated() {
                guard let value = value[index] else { pen = "M"; continue }
                let (x, y) = (String(format: "%.1f", Double(day) * slot), String(format: "%.1f", height - height * value / top))
                path += "\(pen)\(x),\(y) "
                dots += "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"2.5\"><title>\(days[day].day.date) \(quantile.1): \(TimeWords.duration(value))</title></circle>"
                pen = "L"
            }
            out += "<g class=\"\(quantile.1)\"><path d=\"\(path)\"/>\(dots)</g>"
        }
        return out + "</svg>"
    }
}
