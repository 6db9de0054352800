import CronMetricsCore
import Foundation

/// One job as a row of the overview, and as an event on `/dashboard/events`
/// (the same fields, so a live update writes what a reload would show).
struct DashboardRow: Sendable, Encodable {
    var id, jobName, host, href, state: String
    /// The exported status in words (`missed deadline`), for the title and the job page.
    var status: String
    /// When it last ran and is next expected: RFC 3339, in words, and exact (the title).
    var lastRun, next: String?
    var lastRunText, lastRunTitle, nextText, nextTitle: String
    /// nil when the job never reported one (templates test presence).
    var duration: String?
    var running: Int
    /// For the template: whether the "running" mark shows.
    var isRunning: Bool
    var labels: [Label]
    var attention: Bool
    /// The success ratio over the last 7 days (`87.5%`) and its runs in words; nil without runs.
    var week: String?
    var weekTitle: String?

    struct Label: Sendable, Encodable {
        var name, value: String
        /// The overview filtered by this label.
        var href: String

        init(name: String, value: String) {
            self.name = name
            self.value = value
            href = "/dashboard?" + DashboardQuery.encode([("label", "\(name)=\(value)")])
        }
    }

    init(_ snapshot: JobSnapshot, now: Date) {
        let job = snapshot.job
        id = job.id.description
        jobName = job.jobName
        host = job.host
        href = DashboardRow.href(job.id)
        let state = DashboardState(snapshot, now: now)
        self.state = state.rawValue
        attention = state.needsAttention
        status = (snapshot.verdict?.status.rawValue ?? "retired").replacingOccurrences(of: "_", with: " ")
        let last = snapshot.state.lastRunAt ?? snapshot.state.lastReceivedAt
        lastRun = last.map(RFC3339.format)
        lastRunText = last.map { TimeWords.relative($0, now: now) } ?? "never"
        lastRunTitle = last.map(TimeWords.absolute) ?? ""
        duration = snapshot.state.lastDuration.map(TimeWords.duration)
        let expected = snapshot.verdict?.nextExpected ?? snapshot.verdict?.deadline
        next = expected.map(RFC3339.format)
        nextText = expected.map { TimeWords.relative($0, now: now) } ?? ""
        nextTitle = expected.map(TimeWords.absolute) ?? ""
        running = snapshot.state.openRuns.count
        isRunning = running > 0
        labels = job.labels.sorted { $0.key < $1.key }.map { Label(name: $0.key, value: $0.value) }
    }

    /// The row with its last 7 days' success ratio.
    func with(week counts: RunCounts?) -> DashboardRow {
        var row = self
        if let counts, let ratio = counts.successRatio {
            row.week = JobHistoryModel.percent(ratio)
            row.weekTitle = "\(counts.successes) of \(counts.runs) runs succeeded in the last 7 days"
                + (counts.runs > counts.successes + counts.failures ? " (missed deadlines and timeouts are failed runs)" : "")
        }
        return row
    }

    /// What a live update needs of the row (the page has the rest).
    var update: Update {
        Update(id: id, state: state, status: status, lastRun: lastRun, lastRunText: lastRunText, lastRunTitle: lastRunTitle,
               duration: duration ?? "", next: next, nextText: nextText, nextTitle: nextTitle, running: running)
    }

    struct Update: Encodable {
        var id, state, status: String
        var lastRun: String?
        var lastRunText, lastRunTitle, duration: String
        var next: String?
        var nextText, nextTitle: String
        var running: Int
    }

    static func href(_ id: JobID) -> String {
        "/dashboard/jobs/" + (id.description.addingPercentEncoding(withAllowedCharacters: .urlPathComponentAllowed) ?? id.description)
    }
}

extension CharacterSet {
    /// Path-segment characters: `urlPathAllowed` without `/`.
    static let urlPathComponentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove("/")
        return set
    }()
}
