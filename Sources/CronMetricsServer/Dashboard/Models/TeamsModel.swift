import CronMetricsCore
import Foundation

/// The teams page: jobs grouped by a label's value (`team` unless asked
/// otherwise), each group's numbers over a window, as `/api/stats?group_by=`
/// gives them; each group links to the overview filtered to it.
struct TeamsModel: Sendable {
    struct Row: Sendable {
        var value, href, jobs, failing, runs, successRatio, uptimeRatio, p95, longestOutage: String
        var unlabelled: Bool
    }

    struct Option: Sendable {
        var value: String
        var selected: Bool
    }

    var by: String
    var window: String
    var windows: [Option]
    var rows: [Row]
    var overall: Row
    var error: String?

    /// - Parameter failing: how many of each group's jobs fail now, by the label's value.
    init(report: StatsReport?, by: String, window: String, failing: [String?: Int], error: String?) {
        self.by = by
        self.window = window
        windows = JobHistoryModel.windows.map { Option(value: $0, selected: $0 == window) }
        func row(_ value: String?, _ stats: JobStatistics, failing: Int, href: String) -> Row {
            Row(value: value ?? "(no \(by) label)", href: href, jobs: String(stats.jobs ?? 0), failing: String(failing),
                runs: String(stats.runs), successRatio: JobHistoryModel.percent(stats.successRatio),
                uptimeRatio: JobHistoryModel.percent(stats.uptimeRatio), p95: JobHistoryModel.seconds(stats.duration.p95),
                longestOutage: JobHistoryModel.seconds(stats.longestOutageSeconds), unlabelled: value == nil)
        }
        rows = (report?.groups ?? []).map { group in
            row(group.value, group.statistics, failing: failing[group.value] ?? 0,
                href: group.value.map { "/dashboard?" + DashboardQuery.encode([("label", "\(by)=\($0)")]) } ?? "/dashboard")
        }
        let empty = JobStatistics(window: StatsWindow(from: Date(), to: Date()), counts: RunCounts(), timelines: [], jobs: 0)
        overall = row("All jobs", report?.overall ?? empty, failing: failing.values.reduce(0, +), href: "/dashboard")
        self.error = error
    }
}
