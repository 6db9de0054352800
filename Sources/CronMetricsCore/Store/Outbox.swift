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

    /// A job's status changed: it is now `status`; `previous` is what was
    /// stored when the job's state was at `version` (read in this transaction).
    struct Change {
        var jobID: JobID
        var previous: String?
        var status: String
        var at: Date
        var version: Int64
        /// What made it (a flip row's `reason`) and the client's run id, if any.
        var reason: FlipReason
        var runID: String? = nil
        var lastRun: NotificationEvent.LastRun?
    }

    /// A job's status to announce (see ``announce(_:db:)``).
    struct Announcement {
        var jobID: JobID
        var previous: String
        var status: String
        /// When its `down` was last sent, if it was.
        var notifiedAt: Double?
        var at: Date
        /// Its last run; nil: read from its newest result.
        var lastRun: NotificationEvent.LastRun?
        var repeatCount: Int
    }

    /// The job's status is now `status`; `previous` is what was stored at `version`.
    ///
    /// - Returns: the job's state version after the change; nil when the
    ///   change was not made (no change, or the state moved on meanwhile).
    @discardableResult
    func change(_ jobID: JobID, from previous: String?, to status: String, at: Date, version: Int64, reason: FlipReason,
                lastRun: NotificationEvent.LastRun?, db: any SQLConnection) throws -> Int64? {
        try change([Change(jobID: jobID, previous: previous, status: status, at: at, version: version, reason: reason, lastRun: lastRun)],
                   db: db)[jobID]
    }

    /// Records changes of distinct jobs as compare-and-set on their state's
    /// version (one statement for all of them): a change is made only if the
    /// job's state is still at the version it was decided on, so two
    /// replicas deciding the same transition make it once. Each change made
    /// writes one flip row and announces itself if it calls for a message
    /// (one outbox row per channel), in the caller's transaction.
    ///
    /// - Returns: the version of each changed job's state after its change.
    @discardableResult
    func change(_ changes: [Change], db: any SQLConnection) throws -> [JobID: Int64] {
        let changes = changes.filter { $0.previous != $0.status }
        guard !changes.isEmpty else { return [:] }
        let d = db.dialect
        var made: [String: (notifiedAt: Double?, version: Int64)] = [:]
        for chunk in changes.chunks(of: JobRow.rowsPerStatement) {
            let sql = """
                UPDATE job_state SET notify_status = v.column2, notify_previous = v.column3, notify_since = v.column4,
                    version = job_state.version + 1
                FROM (VALUES \(SQLDialect.valueRows(chunk.count, row: "(\(d.text("?")), \(d.text("?")), \(d.text("?")), \(d.real("?")), ?)"))) AS v
                WHERE job_state.job_id = v.column1 AND job_state.version = v.column5
                RETURNING job_id, notified_at, version
                """
            let arguments = chunk.flatMap {
                [SQLValue.text($0.jobID.description), .text($0.status), SQLValue($0.previous), $0.at.sqlValue, .integer($0.version)]
            }
            for row in try db.query(sql, arguments, table: "job_state") {
                made[try row.string("job_id")] = (try row.optionalDouble("notified_at"), try row.int("version"))
            }
        }
        let changed = changes.filter { made[$0.jobID.description] != nil }
        try FlipRows.insert(changed.map { change in
            (change.jobID, Flip(at: change.at, from: change.previous, to: change.status, reason: change.reason.rawValue, runId: change.runID))
        }, db: db)
        var versions: [JobID: Int64] = [:]
        for change in changed { versions[change.jobID] = made[change.jobID.description]?.version }
        let notifiedAt = made.mapValues(\.notifiedAt)
        try announce(changed.compactMap { change in
            guard NotificationKind.transition(from: change.previous, to: change.status) != nil else { return nil }
            return Announcement(jobID: change.jobID, previous: change.previous ?? "pending", status: change.status,
                                notifiedAt: notifiedAt[change.jobID.description] ?? nil, at: change.at, lastRun: change.lastRun,
                                repeatCount: 0)
        }, db: db)
        return versions
    }

    /// Sends what each job's status calls for and was not sent yet: a `down`
    /// (or a repeat of it) for a down job, an `up` for a job whose `down` was
    /// announced. Nothing for a quiet job (paused, in maintenance, retired, or
    /// gone from the catalog): it is announced when it stops being quiet.
    /// The jobs must be distinct; their definitions are read, their
    /// `notified_at` set and their messages written a statement for all.
    ///
    /// - Returns: how many outbox rows were written.
    @discardableResult
    func announce(_ announcements: [Announcement], db: any SQLConnection) throws -> Int {
        let due = announcements.compactMap { item -> (Announcement, NotificationKind)? in
            if NotificationKind.downStatuses.contains(item.status) { return (item, .down) }
            if item.notifiedAt != nil, item.status == "success" { return (item, .up) }
            return nil
        }
        guard !due.isEmpty else { return 0 }
        // A definition that cannot be read is reported, and its job's
        // message not written: the signals of the batch still commit (the
        // next reload writes the row again from its file).
        let jobs = try JobRow.jobs(due.map(\.0.jobID), db, corruptRows: corruptRows)
        let loud = due.filter { item, _ in
            guard let job = jobs[item.jobID] else { return false }
            return !(job.status == .paused || job.status == .retired
                || (job.status == .maintenance && (job.maintenanceUntil ?? .distantFuture) > item.at))
        }
        for (kind, value) in [(NotificationKind.down, now.sqlValue), (.up, .null)] {
            let ids = loud.filter { $0.1 == kind }.map { SQLValue.text($0.0.jobID.description) }
            for chunk in ids.chunks(of: JobRow.rowsPerStatement) {
                try db.send("UPDATE job_state SET notified_at = ? WHERE job_id IN (\(SQLDialect.list(chunk.count)))", [value] + chunk)
            }
        }
        guard let settings else { return 0 }
        var rows: [SQLValue] = []
        for (item, kind) in loud {
            guard let job = jobs[item.jobID] else { continue }
            let channels = settings.channels(for: job.notify)
            guard !channels.isEmpty else { continue }
            let event = NotificationEvent(
                kind: kind, jobId: item.jobID.description, jobName: job.jobName, host: job.host, labels: job.labels,
                previousStatus: item.previous, status: item.status, at: item.at, repeatCount: item.repeatCount,
                lastRun: try item.lastRun ?? Self.lastRun(item.jobID, db: db), url: settings.link(for: item.jobID.description))
            let payload = try event.json()
            for channel in channels {
                rows += [.text(event.eventId), .text(channel), .text(item.jobID.description), .text(kind.rawValue), .text(payload),
                         now.sqlValue, now.sqlValue, now.sqlValue]
            }
        }
        for chunk in rows.chunks(of: 8 * JobRow.rowsPerStatement) {
            try db.send("""
                INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                VALUES \(SQLDialect.valueRows(chunk.count / 8, row: "(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"))
                """, Array(chunk))
        }
        return rows.count / 8
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
