import Foundation

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
///   is announced when it stops being quiet (``StateStore/announcePending(_:now:)``),
///   so a job still failing when its maintenance ends is not left unsaid, and
///   an `up` is only ever sent for a `down` that was.
struct Outbox {
    let settings: NotificationSettings?
    let now: Date
    /// Where a job definition that cannot be read is reported.
    let corruptRows: CorruptRows

    /// The job's status is now `status`; `previous` is what was stored.
    ///
    /// - Returns: how many outbox rows were written.
    @discardableResult
    func change(_ jobID: JobID, from previous: String?, to status: String, at: Date,
                lastRun: NotificationEvent.LastRun?, db: any SQLConnection) throws -> Int {
        guard previous != status else { return 0 }
        let notifiedAt = try db.queryOne("""
            UPDATE job_state SET notify_status = ?, notify_previous = ?, notify_since = ? WHERE job_id = ? RETURNING notified_at
            """, [.text(status), SQLValue(previous), at.sqlValue, .text(jobID.description)], table: "job_state")?.optionalDouble("notified_at")
        guard NotificationKind.transition(from: previous, to: status) != nil else { return 0 }
        return try announce(jobID, previous: previous ?? "pending", status: status, notifiedAt: notifiedAt,
                            at: at, lastRun: lastRun, repeatCount: 0, db: db)
    }

    /// Sends what the job's status calls for and was not sent yet: a `down`
    /// (or a repeat of it) for a down job, an `up` for a job whose `down` was
    /// announced. Nothing for a quiet job (paused, in maintenance, retired, or
    /// gone from the catalog): it is announced when it stops being quiet.
    func announce(_ jobID: JobID, previous: String, status: String, notifiedAt: Double?, at: Date,
                  lastRun: NotificationEvent.LastRun?, repeatCount: Int, db: any SQLConnection) throws -> Int {
        let isDown = NotificationKind.downStatuses.contains(status)
        let kind: NotificationKind
        if isDown {
            kind = .down
        } else if notifiedAt != nil, status == "success" {
            kind = .up
        } else {
            return 0
        }
        // A definition that cannot be read is reported, and its job's
        // message not written: the signals of the batch still commit (the
        // next reload writes the row again from its file).
        let found: Job?
        do {
            found = try JobRow.job(jobID, db)
        } catch let error as StoreError {
            corruptRows.report(error)
            return 0
        }
        guard let job = found else { return 0 }
        let quiet = job.status == .paused || job.status == .retired
            || (job.status == .maintenance && (job.maintenanceUntil ?? .distantFuture) > at)
        guard !quiet else { return 0 }
        try db.execute("UPDATE job_state SET notified_at = ? WHERE job_id = ?",
                       [isDown ? now.sqlValue : .null, .text(jobID.description)])
        guard let settings else { return 0 }
        let channels = settings.channels(for: job.notify)
        guard !channels.isEmpty else { return 0 }
        let event = NotificationEvent(
            kind: kind, jobId: jobID.description, jobName: job.jobName, host: job.host, labels: job.labels,
            previousStatus: previous, status: status, at: at, repeatCount: repeatCount,
            lastRun: try lastRun ?? Self.lastRun(jobID, db: db), url: settings.link(for: jobID.description))
        let payload = try event.json()
        for channel in channels {
            try db.execute("""
                INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
                """, [.text(event.eventId), .text(channel), .text(jobID.description), .text(kind.rawValue), .text(payload),
                      now.sqlValue, now.sqlValue, now.sqlValue])
        }
        return channels.count
    }

    /// The job's last reported run, from its newest result.
    static func lastRun(_ jobID: JobID, db: any SQLConnection) throws -> NotificationEvent.LastRun? {
        guard let row = try db.queryOne("""
            SELECT status, run_at, exit_code, duration, output FROM results
            WHERE job_id = ? AND status IN ('success', 'failure') ORDER BY received_at DESC LIMIT 1
            """, [.text(jobID.description)], table: "results") else { return nil }
        return NotificationEvent.LastRun(status: try row.string("status"), at: try row.date("run_at"),
                                         exitCode: try row.optionalInt("exit_code").map { Int($0) },
                                         duration: try row.optionalDouble("duration"), output: try row.optionalString("output"))
    }
}
