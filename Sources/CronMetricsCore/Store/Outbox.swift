import Foundation
import GRDB

/// Writes notification events into the outbox (`notifications`) inside the
/// transaction that changes a job's status, so a crash can neither lose an
/// event whose cause was committed nor send one whose cause was not.
///
/// Two columns of `job_state` carry it:
/// - `notify_status`: the job's last status in the notifications' sense
///   (success, failure, missed_deadline, timeout), tracked always, also while
///   the job is quiet (paused, in maintenance) and without channels;
/// - `notified_at`: set while a `down` has been announced (when it was last
///   sent), cleared when the `up` is. A job quiet at the moment of its change
///   is announced when it stops being quiet (``AppDatabase/announcePending(_:now:)``),
///   so a job still failing when its maintenance ends is not left unsaid, and
///   an `up` is only ever sent for a `down` that was.
struct Outbox {
    let settings: NotificationSettings?
    let now: Date

    /// The job's status is now `status`; `previous` is what was stored.
    ///
    /// - Returns: how many outbox rows were written.
    @discardableResult
    func change(_ jobID: JobID, from previous: String?, to status: String, at: Date,
                lastRun: NotificationEvent.LastRun?, db: Database) throws -> Int {
        guard previous != status else { return 0 }
        try db.execute(sql: "UPDATE job_state SET notify_status = ?, notify_previous = ?, notify_since = ? WHERE job_id = ?",
                       arguments: [status, previous, at.timeIntervalSince1970, jobID.description])
        guard NotificationKind.transition(from: previous, to: status) != nil else { return 0 }
        let notifiedAt = try Double.fetchOne(db, sql: "SELECT notified_at FROM job_state WHERE job_id = ?", arguments: [jobID.description])
        return try announce(jobID, previous: previous ?? "pending", status: status, notifiedAt: notifiedAt,
                            at: at, lastRun: lastRun, repeatCount: 0, db: db)
    }

    /// Sends what the job's status calls for and was not sent yet: a `down`
    /// (or a repeat of it) for a down job, an `up` for a job whose `down` was
    /// announced. Nothing for a quiet job (paused, in maintenance, retired, or
    /// gone from the catalog): it is announced when it stops being quiet.
    func announce(_ jobID: JobID, previous: String, status: String, notifiedAt: Double?, at: Date,
                  lastRun: NotificationEvent.LastRun?, repeatCount: Int, db: Database) throws -> Int {
        let isDown = NotificationKind.downStatuses.contains(status)
        let kind: NotificationKind
        if isDown {
            kind = .down
        } else if notifiedAt != nil, status == "success" {
            kind = .up
        } else {
            return 0
        }
        guard let job = try Row.fetchOne(db, sql: """
            SELECT job_name, host, labels, notify, status, maintenance_until FROM jobs WHERE id = ?
            """, arguments: [jobID.description]) else { return 0 }
        let lifecycle: String = job["status"]
        let maintenanceUntil: Double? = job["maintenance_until"]
        let quiet = lifecycle == "paused" || lifecycle == "retired"
            || (lifecycle == "maintenance" && (maintenanceUntil ?? .infinity) > at.timeIntervalSince1970)
        guard !quiet else { return 0 }
        try db.execute(sql: "UPDATE job_state SET notified_at = ? WHERE job_id = ?",
                       arguments: [isDown ? now.timeIntervalSince1970 : nil, jobID.description])
        let notify = (job["notify"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        guard let settings else { return 0 }
        let channels = settings.channels(for: notify)
        guard !channels.isEmpty else { return 0 }
        let labels = (job["labels"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        let event = NotificationEvent(
            kind: kind, jobId: jobID.description, jobName: job["job_name"], host: job["host"], labels: labels,
            previousStatus: previous, status: status, at: at, repeatCount: repeatCount,
            lastRun: try lastRun ?? Self.lastRun(jobID, db: db), url: settings.link(for: jobID.description))
        let payload = try event.json()
        let insert = try db.cachedStatement(sql: """
            INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
            """)
        let time = now.timeIntervalSince1970
        for channel in channels {
            try insert.execute(arguments: [event.eventId, channel, jobID.description, kind.rawValue, payload, time, time, time])
        }
        return channels.count
    }

    /// The job's last reported run, from its newest result.
    static func lastRun(_ jobID: JobID, db: Database) throws -> NotificationEvent.LastRun? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT status, run_at, exit_code, duration, output FROM results
            WHERE job_id = ? AND status IN ('success', 'failure') ORDER BY received_at DESC LIMIT 1
            """, arguments: [jobID.description]) else { return nil }
        return NotificationEvent.LastRun(status: row["status"], at: Date(timeIntervalSince1970: row["run_at"]),
                                         exitCode: row["exit_code"], duration: row["duration"], output: row["output"])
    }
}
