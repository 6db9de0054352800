import CronMetricsCore
import Foundation

/// What the dashboard calls a job's state: the exported status folded into
/// the words an operator scans for, in the order they need attention.
enum DashboardState: String, Sendable, CaseIterable {
    case failing, late, running, pending, up, maintenance, paused, retired

    init(_ snapshot: JobSnapshot, now: Date) {
        self.init(job: snapshot.job, state: snapshot.state, verdict: snapshot.verdict, now: now)
    }

    init(job: Job, state: JobState, verdict: Verdict?, now: Date) {
        guard let verdict else { self = .retired; return }
        switch verdict.status {
        case .paused: self = .paused
        case .maintenance: self = .maintenance
        case .failure, .missedDeadline, .timeout: self = .failing
        case .pending, .success:
            if !state.openRuns.isEmpty {
                self = .running
            } else if Verdict.isLate(nextExpected: verdict.nextExpected, graceSeconds: job.graceSeconds, now: now) {
                self = .late
            } else {
                self = verdict.status == .pending ? .pending : .up
            }
        }
    }

    /// The states counted at the top of the overview (retired only when there are some).
    static let counted: [DashboardState] = [.up, .failing, .late, .running, .pending, .maintenance, .paused]

    var needsAttention: Bool { self == .failing || self == .late }
    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// One job as a row of the overview, and as an event on `/dashboard/events`
/// (the same fields, so a live update writes what a reload would show).
struct DashboardRow: Sendable, Encodable {
    var id: String
    var jobName: String
    var host: String
    var href: String
    var state: String
    /// The exported status in words (`missed deadline`), for the title and the job page.
    var status: String
    var lastRun: String?
    var lastRunText: String
    var lastRunTitle: String
    var duration: String
    var next: String?
    var nextText: String
    var nextTitle: String
    var running: Int
    var labels: [Label]
    var attention: Bool

    struct Label: Sendable, Encodable {
        var name: String
        var value: String
        /// The overview filtered by this label.
        var href: String { "/dashboard?" + DashboardQuery.encode([("label", "\(name)=\(value)")]) }
        var context: [String: Any] { ["name": name, "value": value, "href": href] }
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
        duration = snapshot.state.lastDuration.map(TimeWords.duration) ?? ""
        let expected = snapshot.verdict?.nextExpected ?? snapshot.verdict?.deadline
        next = expected.map(RFC3339.format)
        nextText = expected.map { TimeWords.relative($0, now: now) } ?? ""
        nextTitle = expected.map(TimeWords.absolute) ?? ""
        running = snapshot.state.openRuns.count
        labels = job.labels.sorted { $0.key < $1.key }.map { Label(name: $0.key, value: $0.value) }
    }

    /// The row for a template: nil and empty values left out, so that
    /// Mustache sections test presence.
    var context: [String: Any] {
        Mustached.drop([
            "id": id, "jobName": jobName, "host": host, "href": href, "state": state, "status": status,
            "lastRun": lastRun, "lastRunText": lastRunText, "lastRunTitle": lastRunTitle, "duration": duration,
            "next": next, "nextText": nextText, "nextTitle": nextTitle, "isRunning": running > 0,
            "labels": labels.map(\.context), "attention": attention,
        ])
    }

    /// What a live update needs of the row (the page has the rest).
    var update: Update {
        Update(id: id, state: state, status: status, lastRun: lastRun, lastRunText: lastRunText, lastRunTitle: lastRunTitle,
               duration: duration, next: next, nextText: nextText, nextTitle: nextTitle, running: running)
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

/// Times and durations as the dashboard writes them.
enum TimeWords {
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<45: return seconds >= 0 ? "just now" : "in a moment"
        case ..<(90 * 60): text = "\(Int((magnitude / 60).rounded())) min"
        case ..<(36 * 3600): text = "\(Int((magnitude / 3600).rounded())) h"
        default: text = "\(Int((magnitude / 86_400).rounded())) d"
        }
        return seconds >= 0 ? text + " ago" : "in " + text
    }

    static func absolute(_ date: Date) -> String {
        let text = RFC3339.format(date)
        // 2026-11-24T10:00:00Z → 2026-11-24 10:00:00 UTC
        guard text.hasSuffix("Z") else { return text }
        return text.dropLast().replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: String(format: "%.0f ms", seconds * 1000)
        case ..<60: String(format: "%.1f s", seconds)
        case ..<3600: String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
        default: String(format: "%d h %02d min", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
        }
    }
}

/// Template contexts: dictionaries without nils or empty strings.
enum Mustached {
    static func drop(_ values: [String: Any?]) -> [String: Any] {
        var out: [String: Any] = [:]
        for (key, value) in values {
            guard let value else { continue }
            if let text = value as? String, text.isEmpty { continue }
            out[key] = value
        }
        return out
    }
}
