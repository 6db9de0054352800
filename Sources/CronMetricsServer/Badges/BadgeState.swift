import CronMetricsCore
import Foundation

/// What a badge says about a set of jobs, in Healthchecks' three states:
/// `down` when any job is down (failure, missed deadline, timeout), else
/// `late` when a scheduled job's time has passed and it is inside its grace,
/// else `up`. Paused, retired and in-maintenance jobs are left out (as
/// Healthchecks leaves paused checks out); a job that never reported is up.
struct BadgeState: Sendable, Equatable {
    enum Status: String, Sendable { case up, late, down }

    var status: Status
    var total: Int
    var late: Int
    var down: Int

    init(_ records: [JobRecord], now: Date) {
        var total = 0, late = 0, down = 0
        for record in records {
            guard let state = record.state, !["paused", "maintenance", "retired"].contains(state.status) else { continue }
            total += 1
            if NotificationKind.downStatuses.contains(state.status) {
                down += 1
            } else if Verdict.isLate(nextExpected: state.nextExpected, graceSeconds: record.graceSeconds ?? Job.defaultGraceSeconds, now: now) {
                late += 1
            }
        }
        self.total = total
        self.late = late
        self.down = down
        status = down > 0 ? .down : late > 0 ? .late : .up
    }

    /// Healthchecks' JSON badge: `{"status": "up", "total": 3, "grace": 0, "down": 0}`.
    var json: [String: JSONValue] {
        ["status": .string(status.rawValue), "total": .integer(Int64(total)), "grace": .integer(Int64(late)), "down": .integer(Int64(down))]
    }

    /// A shields.io endpoint (`https://img.shields.io/endpoint?url=…`).
    func shields(label: String) -> [String: JSONValue] {
        ["schemaVersion": .integer(1), "label": .string(label), "message": .string(status.rawValue),
         "color": .string(status == .up ? "success" : status == .late ? "important" : "critical")]
    }

    /// A flat badge, `label | status`, drawn here (no external font or image).
    func svg(label: String) -> String {
        let color = status == .up ? "#4c1" : status == .late ? "#fe7d37" : "#e05d44"
        let left = Self.width(label), right = Self.width(status.rawValue)
        let text = Self.escape(label)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(left + right)" height="20" role="img" aria-label="\(text): \(status.rawValue)">\
            <title>\(text): \(status.rawValue)</title>\
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>\
            <clipPath id="r"><rect width="\(left + right)" height="20" rx="3" fill="#fff"/></clipPath>\
            <g clip-path="url(#r)"><rect width="\(left)" height="20" fill="#555"/><rect x="\(left)" width="\(right)" height="20" fill="\(color)"/>\
            <rect width="\(left + right)" height="20" fill="url(#s)"/></g>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(left / 2)" y="14">\(text)</text><text x="\(left + right / 2)" y="14">\(status.rawValue)</text></g></svg>
            """
    }

    /// About 7 px a character at 11 px Verdana, plus padding.
    static func width(_ text: String) -> Int { text.count * 7 + 10 }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
