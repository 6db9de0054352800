import Foundation

/// `GET /api/stats`: the jobs a filter selects, over a window, overall and
/// per value of one label (`group_by`).
public struct StatsReport: Codable, Sendable, Hashable {
    /// One label value's jobs.
    public struct Group: Codable, Sendable, Hashable {
        /// The label's value; absent for the jobs without the label.
        public var value: String?
        public var statistics: JobStatistics

        public init(value: String?, statistics: JobStatistics) {
            (self.value, self.statistics) = (value, statistics)
        }
    }

    public var groupBy: String?
    public var overall: JobStatistics
    public var groups: [Group]?

    public init(groupBy: String?, overall: JobStatistics, groups: [Group]?) {
        (self.groupBy, self.overall, self.groups) = (groupBy, overall, groups)
    }

    /// Jobs' histories added up: overall, and per value of the label
    /// `groupBy` (sorted, the jobs without the label last).
    public init(jobs: [(id: JobID, labels: [String: String])], histories: [JobID: JobHistory], window: StatsWindow, groupBy: String?) {
        func statistics(_ ids: [JobID]) -> JobStatistics {
            var counts = RunCounts()
            var timelines: [Timeline] = []
            for id in ids {
                guard let history = histories[id] else { continue }
                counts.add(history.counts)
                timelines.append(history.timeline)
            }
            return JobStatistics(window: window, counts: counts, timelines: timelines, jobs: ids.count)
        }
        var groups: [Group]?
        if let groupBy {
            let byValue = Dictionary(grouping: jobs) { $0.labels[groupBy] }
            groups = byValue.keys.sorted { ($0 ?? "\u{10FFFF}") < ($1 ?? "\u{10FFFF}") }.map { value in
                Group(value: value, statistics: statistics((byValue[value] ?? []).map(\.id)))
            }
        }
        self.init(groupBy: groupBy, overall: statistics(jobs.map(\.id)), groups: groups)
    }
}

/// `GET /api/job/{id}/flips`: a page of a job's flips, newest first.
public struct FlipPage: Codable, Sendable, Hashable {
    public var flips: [Flip]
    /// Pass as `before` for the next page; nil on the last one.
    public var nextBefore: Int64?

    public init(flips: [Flip], nextBefore: Int64?) {
        (self.flips, self.nextBefore) = (flips, nextBefore)
    }
}
