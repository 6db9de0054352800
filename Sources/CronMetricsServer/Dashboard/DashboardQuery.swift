import CronMetricsCore
import Foundation
import Hummingbird

/// The overview's filters, sort and page, from its query string (the
/// filter form is a plain GET, so every view is a link).
struct DashboardQuery: Sendable, Equatable {
    enum Sort: String, CaseIterable, Sendable {
        case attention, name, lastRun = "last_run", next, successRatio = "success_ratio"

        var text: String {
            switch self {
            case .attention: "needs attention first"
            case .name: "name"
            case .lastRun: "last run, newest first"
            case .next: "next expected, soonest first"
            case .successRatio: "7-day success ratio, lowest first"
            }
        }
    }

    static let pageSize = 50

    var text: String?
    var state: DashboardState?
    var label: String?
    var host: String?
    var sort: Sort = .attention
    var page = 1

    init() {}

    /// - Throws: the message for an unusable filter (shown above the table).
    init(_ query: DashboardJobsController.OverviewQuery) throws(DashboardProblem) {
        func value(_ given: String?) -> String? {
            given.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        }
        text = value(query.q)
        host = value(query.host)
        label = value(query.label)
        if let name = value(query.state) {
            guard let state = DashboardState(rawValue: name) else { throw DashboardProblem("no state '\(name)'") }
            self.state = state
        }
        if let name = value(query.sort) { sort = Sort(rawValue: name) ?? .attention }
        if let number = value(query.page).flatMap(Int.init) { page = min(max(number, 1), 1_000_000) }
    }

    /// The job filter for everything but the dashboard state.
    func jobFilter() throws(DashboardProblem) -> JobFilter {
        var filter = JobFilter()
        filter.host = host
        filter.text = text
        if let label {
            guard let labels = try? JobFilter.labels([label]) else { throw DashboardProblem("a label filter is NAME=VALUE, e.g. team=infra") }
            filter.labels = labels
        }
        return filter
    }

    var isFiltered: Bool { text != nil || state != nil || label != nil || host != nil }

    /// This view's link, with some parts changed.
    func link(state: DashboardState?? = .none, page: Int? = nil) -> String {
        var items: [(String, String)] = []
        if let text { items.append(("q", text)) }
        let chosen: DashboardState? = state ?? self.state
        if let chosen { items.append(("state", chosen.rawValue)) }
        if let label { items.append(("label", label)) }
        if let host { items.append(("host", host)) }
        if sort != .attention { items.append(("sort", sort.rawValue)) }
        let number = page ?? 1
        if number > 1 { items.append(("page", String(number))) }
        return items.isEmpty ? "/dashboard" : "/dashboard?" + Self.encode(items)
    }

    static func encode(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}

/// A problem a dashboard page reports to its user (not a crash, not JSON).
struct DashboardProblem: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
