import CronMetricsCore
import Foundation

/// The overview's view model: counts per state over every job, then the
/// filtered, sorted page of rows. Only the 50 rows shown are formatted.
struct OverviewModel: Sendable {
    struct Count: Sendable {
        var state, href: String
        var n: Int
        var current: Bool
    }

    struct Option: Sendable {
        var value, text: String
        var selected: Bool
    }

    var counts: [Count]
    var rows: [DashboardRow]
    var total, page: Int
    var one, filtered: Bool
    /// nil with a single page (the caption then names no page).
    var pages: Int?
    var previous, nextPage: String?
    /// The filters as given, for the form.
    var q, label, host: String?
    var stateOptions, sortOptions: [Option]
    /// A filter that could not be used, said above the table.
    var error: String?

    /// - Parameter week: each job's runs over the last 7 days (the 7-day column and its sort).
    init(snapshots: [JobSnapshot], query: DashboardQuery, filter: JobFilter, week: [JobID: RunCounts] = [:], now: Date,
         error: String? = nil) {
        var counts: [DashboardState: Int] = [:]
        var matching: [(snapshot: JobSnapshot, state: DashboardState)] = []
        for snapshot in snapshots {
            let state = DashboardState(snapshot, now: now)
            counts[state, default: 0] += 1
            guard query.state == nil || query.state == state, filter.matches(snapshot.job) else { continue }
            matching.append((snapshot, state))
        }
        // The live state lists jobs by id; each sort keeps that order among equals.
        switch query.sort {
        case .name: break
        case .attention:
            var buckets = Array(repeating: [(snapshot: JobSnapshot, state: DashboardState)](), count: DashboardState.allCases.count)
            for item in matching { buckets[item.state.rank].append(item) }
            matching = buckets.flatMap { $0 }
        case .lastRun:
            let keyed = matching.enumerated().map { ($0.offset, ($0.element.snapshot.state.lastRunAt ?? .distantPast)) }
            matching = keyed.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { matching[$0.0] }
        case .next:
            let keyed = matching.enumerated().map { ($0.offset, ($0.element.snapshot.verdict?.nextExpected ?? $0.element.snapshot.verdict?.deadline ?? .distantFuture)) }
            matching = keyed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { matching[$0.0] }
        case .successRatio:
            // Lowest first; jobs without runs in the 7 days last.
            let keyed = matching.enumerated().map { ($0.offset, week[$0.element.snapshot.job.id]?.successRatio ?? 2) }
            matching = keyed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { matching[$0.0] }
        }
        let size = DashboardQuery.pageSize
        let pages = max((matching.count + size - 1) / size, 1)
        let page = min(query.page, pages)
        let slice = matching.dropFirst((page - 1) * size).prefix(size)
        var shown: [DashboardState] = DashboardState.counted
        if (counts[.retired] ?? 0) > 0 { shown.append(.retired) }
        self.counts = shown.map { state in
            Count(state: state.rawValue, href: query.link(state: .some(query.state == state ? nil : state)), n: counts[state] ?? 0,
                  current: query.state == state)
        }
        rows = slice.map { DashboardRow($0.snapshot, now: now).with(week: week[$0.snapshot.job.id]) }
        total = matching.count
        one = matching.count == 1
        filtered = query.isFiltered
        self.page = page
        self.pages = pages > 1 ? pages : nil
        previous = page > 1 ? query.link(page: page - 1) : nil
        nextPage = page < pages ? query.link(page: page + 1) : nil
        q = query.text
        label = query.label
        host = query.host
        stateOptions = DashboardState.allCases.map { Option(value: $0.rawValue, text: $0.rawValue, selected: $0 == query.state) }
        sortOptions = DashboardQuery.Sort.allCases.map { Option(value: $0.rawValue, text: $0.text, selected: $0 == query.sort) }
        self.error = error
    }

    /// Counts per state, as the live feed sends them.
    static func counts(_ state: LiveState, now: Date) -> [String: Int] {
        var counts = Array(repeating: 0, count: DashboardState.allCases.count)
        state.forEach(now: now) { job, jobState, verdict in counts[DashboardState(job: job, state: jobState, verdict: verdict, now: now).rank] += 1 }
        return Dictionary(uniqueKeysWithValues: DashboardState.allCases.map { ($0.rawValue, counts[$0.rank]) })
    }
}
