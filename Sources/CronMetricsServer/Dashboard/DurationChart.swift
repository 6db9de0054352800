import CronMetricsCore
import Foundation

/// The duration of a job's last runs as an inline SVG bar chart, drawn by
/// the server (no script, no library): oldest on the left, one bar a run,
/// coloured by result through CSS classes, each with a `<title>` tooltip.
/// Runs without a duration get a short grey mark.
struct DurationChart {
    static let width = 600.0, height = 140.0

    /// - Parameter results: newest first, as the store returns them.
    static func svg(_ results: [JobResult]) -> String? {
        let runs = results.filter { $0.status != .log }.prefix(100).reversed()
        guard !runs.isEmpty else { return nil }
        let longest = max(runs.compactMap(\.duration).max() ?? 0, 0.001)
        let slot = width / Double(max(runs.count, 20))
        let bar = max(slot * 0.7, 1)
        var out = """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height) + 2)" preserveAspectRatio="none" role="img" \
            aria-label="Durations of the last \(runs.count) runs; the longest took \(TimeWords.duration(longest))">
            <line class="axis" x1="0" y1="\(height + 1)" x2="\(width)" y2="\(height + 1)"/>
            """
        for (index, run) in runs.enumerated() {
            let x = Double(index) * slot + (slot - bar) / 2
            let kind = run.status == .success ? "ok" : "bad"
            let tooltip = BadgeState.escape("\(TimeWords.absolute(run.runAt)): \(run.status.rawValue)"
                + (run.duration.map { ", \(TimeWords.duration($0))" } ?? ", no duration")
                + (run.exitCode.map { ", exit \($0)" } ?? ""))
            if let duration = run.duration {
                let h = max(height * duration / longest, 2)
                out += "<rect class=\"\(kind)\" x=\"\(f(x))\" y=\"\(f(height - h))\" width=\"\(f(bar))\" height=\"\(f(h))\"><title>\(tooltip)</title></rect>"
            } else {
                out += "<rect class=\"none\" x=\"\(f(x))\" y=\"\(f(height - 3))\" width=\"\(f(bar))\" height=\"3\"><title>\(tooltip)</title></rect>"
            }
        }
        return out + "</svg>"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The axis text shown beside the chart.
    static func longest(_ results: [JobResult]) -> String? {
        results.filter { $0.status != .log }.prefix(100).compactMap(\.duration).max().map(TimeWords.duration)
    }
}
