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
            // Down another way while its down is still held (a failure, then
            // a missed deadline, under `alert_after`): the policy is asked again.
            let held = (notifiedAt[change.jobID.description] ?? nil) == nil && NotificationKind.downStatuses.contains(change.status)
            guard NotificationKind.transition(from: change.previous, to: change.status) != nil || held else { return nil }
            return Announcement(jobID: change.jobID, previous: change.previous ?? "pending", status: change.status,
                                notifiedAt: notifiedAt[change.jobID.description] ?? nil, at: change.at, lastRun: change.lastRun,
                                repeatCount: 0)
        }, db: db)
        return versions
    }

    /// Failed runs of jobs already down whose `down` was held (no change of
    /// status, so ``change(_:db:)`` sends nothing): the policy is asked
    /// again, so `alert_after: 3` sends at the third failed run at once.
    func reconsider(_ held: [Announcement], db: any SQLConnection) throws {
        let due = held.filter { $0.notifiedAt == nil && NotificationKind.downStatuses.contains($0.status) }
        guard !due.isEmpty else { return }
        try announce(due, db: db)
    }

    /// Sends what each job's status calls for and was not sent yet: a `down`
    /// (or a repeat of it) for a down job, an `up` for a job whose `down` was
    /// announced. Nothing for a quiet job (paused, in maintenance, retired, or
    /// gone from the catalog): it is announced when it stops being quiet. A
    /// first `down` also waits while the job's policy holds it
    /// (``AlertPolicy/hold(_:_:at:)``: a failing dependency, `alert_after`);
    /// an `up` also goes to the escalation channels the outage reached.
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
        let outages = try outages(of: due.map(\.0.jobID), jobs: jobs, db: db)
        let loud = due.filter { item, kind in
            guard let job = jobs[item.jobID], let outage = outages[item.jobID]?.outage else { return false }
            // Decided as of now: a timeout saved late carries its limit's
            // time, which may lie before a window the job is in now.
            let at = max(item.at, now)
            switch kind {
            case .down where item.repeatCount == 0: return AlertPolicy.hold(job, outage, at: at) == nil
            case .down: return !AlertPolicy.holdsFollowUp(job, outage, at: at)
            default: return !AlertPolicy.isQuiet(job, at: at)
            }
        }
        let statements: [(NotificationKind, Bool, String, [SQLValue])] = [
            (.down, false, "notified_at = ?, down_sent_at = ?, escalated = 0", [now.sqlValue, now.sqlValue]),
            (.down, true, "notified_at = ?", [now.sqlValue]),
            (.up, false, "notified_at = NULL, down_sent_at = NULL, escalated = 0, escalated_channels = NULL", []),
        ]
        for (kind, isRepeat, set, values) in statements {
            let ids = loud.filter { $0.1 == kind && ($0.0.repeatCount > 0) == isRepeat }.map { SQLValue.text($0.0.jobID.description) }
            for chunk in ids.chunks(of: JobRow.rowsPerStatement) {
                try db.send("UPDATE job_state SET \(set) WHERE job_id IN (\(SQLDialect.list(chunk.count)))", values + chunk)
            }
        }
        guard let settings else { return 0 }
        var rows: [SQLValue] = []
        for (item, kind) in loud {
            guard let job = jobs[item.jobID] else { continue }
            var names = settings.channels(for: job.notify)
            if kind == .up {
                names += settings.channels(for: outages[item.jobID]?.escalatedChannels ?? []).filter { !names.contains($0) }
            }
            rows += try messages(for: job, item, kind: kind, channels: names, db: db)
        }
        try insert(rows, db: db)
        return rows.count / 8
    }

    /// Sends the escalation steps that fell due (``AlertPolicy/escalationsDue(_:_:at:)``)
    /// for jobs whose `down` went out and that are still down: a `down` to
    /// each step's channels, once an outage.
    ///
    /// - Returns: how many outbox rows were written.
    func escalate(db: any SQLConnection) throws -> Int {
        try escalations(db: db, send: true).rows
    }

    /// The escalations due now (sent when `send`), and when the next one
    /// not due yet will be.
    func escalations(db: any SQLConnection, send: Bool) throws -> (rows: Int, next: Date?) {
        var candidates: [JobID] = []
        for row in try db.query("""
            SELECT s.job_id FROM job_state s JOIN jobs j ON j.id = s.job_id
            WHERE s.notify_status IN ('failure', 'missed_deadline', 'timeout') AND s.down_sent_at IS NOT NULL
                AND s.notified_at >= s.down_sent_at AND j.definition LIKE '%"escalate":%'
            """, table: "job_state") {
            if let id = corruptRows.reading({ () throws(StoreError) in try row.jobID() }) { candidates.append(id) }
        }
        guard !candidates.isEmpty else { return (0, nil) }
        let jobs = try JobRow.jobs(candidates, db, corruptRows: corruptRows).filter { !$0.value.escalate.isEmpty }
        let outages = try outages(of: Array(jobs.keys), jobs: jobs, db: db)
        var rows: [SQLValue] = []
        var next: Date?
        for id in jobs.keys.sorted() {
            guard let job = jobs[id], let known = outages[id] else { continue }
            let steps = AlertPolicy.escalationsDue(job, known.outage, at: now)
            var after = known.outage
            after.escalated = steps.upperBound
            if let time = AlertPolicy.nextEscalation(job, after), time > now { next = min(next ?? time, time) }
            guard send, !steps.isEmpty else { continue }
            var reached = known.escalatedChannels
            reached += AlertPolicy.channels(of: job, steps: steps).filter { !reached.contains($0) }
            try db.send("UPDATE job_state SET escalated = ?, escalated_channels = ? WHERE job_id = ?",
                        [.integer(Int64(steps.upperBound)), .text(try StateStore.json(reached)), .text(id.description)])
            guard let settings else { continue }
            for step in steps {
                let item = Announcement(jobID: id, previous: known.status, status: known.status, notifiedAt: nil, at: now, lastRun: nil,
                                        repeatCount: 0)
                rows += try messages(for: job, item, kind: .down, channels: settings.channels(for: job.escalate[step].notify),
                                     escalation: step + 1, db: db)
            }
        }
        try insert(rows, db: db)
        return (rows.count / 8, next)
    }

    /// What the store knows of each job's outage, with the jobs it depends on
    /// that are failing now: down (failure, missed deadline, timeout), there,
    /// and not quiet (paused, retired, in maintenance): what the dashboard
    /// and the API call failing (``LiveState/blockedBy(_:now:)``).
    func outages(of ids: [JobID], jobs: [JobID: Job],
                 db: any SQLConnection) throws -> [JobID: (outage: AlertPolicy.Outage, status: String, escalatedChannels: [String])] {
        var upstream = Set<JobID>()
        for id in ids { upstream.formUnion(jobs[id]?.dependsOn ?? []) }
        let rows = try Self.states(ids + upstream.subtracting(ids), db: db)
        let upstreamJobs = try JobRow.jobs(Array(upstream), db, corruptRows: corruptRows)
        let failing = Set(upstream.filter { id in
            guard let job = upstreamJobs[id], !AlertPolicy.isQuiet(job, at: now) else { return false }
            return rows[id].map { NotificationKind.downStatuses.contains($0.status) } ?? false
        })
        var outages: [JobID: (outage: AlertPolicy.Outage, status: String, escalatedChannels: [String])] = [:]
        for id in ids {
            guard let row = rows[id] else { continue }
            outages[id] = (AlertPolicy.Outage(failedRuns: row.streak, downSentAt: row.downSentAt, escalated: row.escalated,
                                              failingUpstream: failing,
                                              missedSince: row.status == ExportedStatus.missedDeadline.rawValue ? row.since : nil),
                           row.status, row.escalatedChannels)
        }
        return outages
    }

    /// The notification columns of some jobs' state.
    typealias NotifyState = (status: String, since: Date?, streak: Int, downSentAt: Date?, escalated: Int, escalatedChannels: [String])

    static func states(_ ids: [JobID], db: any SQLConnection) throws -> [JobID: NotifyState] {
        var states: [JobID: NotifyState] = [:]
        for chunk in ids.chunks(of: JobRow.rowsPerStatement) {
            for row in try db.query("""
                SELECT job_id, notify_status, notify_since, streak, down_sent_at, escalated, escalated_channels FROM job_state
                WHERE job_id IN (\(SQLDialect.list(chunk.count)))
                """, chunk.map { .text($0.description) }, table: "job_state") {
                let channels = try row.optionalString("escalated_channels").map { text in
                    (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
                } ?? []
                states[try row.jobID()] = (try row.optionalString("notify_status") ?? "pending", try row.optionalDate("notify_since"),
                                           Int(try row.int("streak")),
                                           try row.optionalDate("down_sent_at"), Int(try row.int("escalated")), channels)
            }
        }
        return states
    }

    /// The outbox rows of one event, one per channel (8 values each).
    private func messages(for job: Job, _ item: Announcement, kind: NotificationKind, channels: [String], escalation: Int? = nil,
                          db: any SQLConnection) throws -> [SQLValue] {
        guard let settings, !channels.isEmpty else { return [] }
        var event = NotificationEvent(
            kind: kind, jobId: item.jobID.description, jobName: job.jobName, host: job.host, labels: job.labels,
            previousStatus: item.previous, status: item.status, at: item.at, repeatCount: item.repeatCount,
            lastRun: try item.lastRun ?? Self.lastRun(item.jobID, db: db), url: settings.link(for: item.jobID.description))
        event.escalation = escalation
        let payload = try event.json()
        var rows: [SQLValue] = []
        for channel in channels {
            rows += [.text(event.eventId), .text(channel), .text(item.jobID.description), .text(kind.rawValue), .text(payload),
                     now.sqlValue, now.sqlValue, now.sqlValue]
        }
        return rows
    }

    private func insert(_ rows: [SQLValue], db: any SQLConnection) throws {
        for chunk in rows.chunks(of: 8 * JobRow.rowsPerStatement) {
            try db.send("""
                INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                VALUES \(SQLDialect.valueRows(chunk.count / 8, row: "(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"))
                """, Array(chunk))
        }
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
