import Foundation

/// The outbox as the dispatcher and the admin API use it. Rows go
/// `pending` → `sending` (claimed) → `delivered`, back to `pending` with a
/// later `next_attempt_at`, or `dead`. A claim names its claimant and lasts
/// a lease: a crash leaves claimed rows `sending`, and they are claimed again
/// once the lease has run out (by another replica), or at once by the same
/// claimant's next start (``resetSending(claimant:)``), so delivery is at
/// least once, with the same event id.
extension StateStore {
    /// A claimed notification and when its retry window began.
    public struct ClaimedNotification: Sendable {
        public var record: NotificationRecord
        public var queuedAt: Date
    }

    /// What a requeue found.
    public enum RequeueResult: Sendable {
        case requeued(NotificationRecord)
        case notFound
        /// Only dead letters are requeued (a pending one is queued already).
        case notDead(state: String)
    }

    /// Puts rows a crash left `sending` back in the queue: those of
    /// `claimant` (a replica restarted under its name), or every one (nil:
    /// one server alone, or claims older than leases).
    @discardableResult
    public func resetSending(claimant: String? = nil) async throws(StoreError) -> Int {
        try await writing { db in
            if let claimant {
                return try db.execute("""
                    UPDATE notifications SET state = 'pending', claimed_by = NULL, claimed_until = NULL
                    WHERE state = 'sending' AND (claimed_by = ? OR claimed_by IS NULL)
                    """, [.text(claimant)])
            }
            return try db.execute("UPDATE notifications SET state = 'pending', claimed_by = NULL, claimed_until = NULL WHERE state = 'sending'")
        }
    }

    /// Puts back the rows one channel's worker claimed and did not finish (it stopped).
    @discardableResult
    public func releaseClaims(channel: String, claimant: String = StateStore.localClaimant) async throws(StoreError) -> Int {
        try await writing { db in
            try db.execute("""
                UPDATE notifications SET state = 'pending', claimed_by = NULL, claimed_until = NULL
                WHERE state = 'sending' AND channel = ? AND claimed_by = ?
                """, [.text(channel), .text(claimant)])
        }
    }

    /// The claimant of a server alone (SQLite, tests).
    public static let localClaimant = "local"

    /// Waiting rows of channels no longer configured become dead letters
    /// (requeue them once the channel is back).
    public func abandonNotifications(keeping channels: Set<String>) async throws(StoreError) -> Int {
        let names = channels.sorted().map(SQLValue.text)
        return try await writing { db in
            let list = names.map { _ in "?" }.joined(separator: ", ")
            return try db.execute("""
                UPDATE notifications SET state = 'dead', last_error = 'channel ' || channel || ' is not configured'
                WHERE state = 'pending' \(names.isEmpty ? "" : "AND channel NOT IN (\(list))")
                """, names)
        }
    }

    /// Whether a row of `channel` is due by `now`, and if none is, when the
    /// next one will be (a read: an idle dispatcher never takes the writer).
    public func notificationsDue(channel: String, now: Date,
                                 claimant: String = StateStore.localClaimant) async throws(StoreError) -> (due: Bool, next: Date?) {
        let next = try await reading { db in
            // Another replica's claim whose lease runs out is due again then.
            try db.queryOne("""
                SELECT MIN(CASE WHEN state = 'pending' THEN next_attempt_at ELSE COALESCE(claimed_until, 0) END) AS next
                FROM notifications
                WHERE channel = ? AND (state = 'pending' OR state = 'sending' AND COALESCE(claimed_by, '') <> ?)
                """, [.text(channel), .text(claimant)], table: "notifications")?.optionalDate("next")
        }
        return (next.map { $0 <= now } ?? false, next)
    }

    /// Takes up to `limit` due rows of `channel`, oldest due first: they become
    /// `sending`, claimed by `claimant` until `now + lease`, until their
    /// outcome is recorded. Rows whose claim by another claimant has run out
    /// (it died mid-delivery) are due again; a claimant's own rows never are,
    /// since they may still be in flight (its restart resets them). Rows another replica claims at the same
    /// moment are skipped (PostgreSQL), never taken twice. A row that cannot
    /// be read becomes a dead letter saying why, and is reported.
    public func claimNotifications(channel: String, now: Date, limit: Int, claimant: String = StateStore.localClaimant,
                                   lease: Duration = .seconds(120)) async throws(StoreError) -> [ClaimedNotification] {
        let corruptRows = corruptRows
        let until = now.addingTimeInterval(Double(lease.components.seconds))
        return try await writing { db in
            let rows = try db.query("""
                UPDATE notifications SET state = 'sending', claimed_by = ?, claimed_until = ? WHERE id IN (
                    SELECT id FROM notifications
                    WHERE channel = ? AND (state = 'pending' AND next_attempt_at <= ?
                        OR state = 'sending' AND COALESCE(claimed_by, '') <> ? AND COALESCE(claimed_until, 0) < ?)
                    ORDER BY next_attempt_at, id LIMIT ?\(db.dialect.skipLocked))
                RETURNING \(NotificationRow.columns)
                """, [.text(claimant), until.sqlValue, .text(channel), now.sqlValue, .text(claimant), now.sqlValue,
                 .integer(Int64(limit))],
                table: "notifications")
            var claimed: [ClaimedNotification] = []
            for row in rows {
                do throws(StoreError) {
                    let notification = try NotificationRow(row)
                    claimed.append(ClaimedNotification(record: notification.record, queuedAt: notification.queuedAt))
                } catch {
                    corruptRows.report(error)
                    try db.execute("UPDATE notifications SET state = 'dead', last_error = ? WHERE id = ?",
                                   [.text(String(error.description.prefix(1000))), row["id"]])
                }
            }
            return claimed.sorted { $0.record.id < $1.record.id }
        }
    }

    /// Writes the outcomes of several tries in one transaction.
    public func recordDeliveries(_ updates: [(id: Int64, update: NotificationUpdate)]) async throws(StoreError) {
        guard !updates.isEmpty else { return }
        try await writing { db in
            for (id, update) in updates {
                switch update {
                case let .delivered(at, status):
                    try db.execute("""
                        UPDATE notifications SET state = 'delivered', attempts = attempts + 1, delivered_at = ?,
                            last_status = ?, last_error = NULL WHERE id = ?
                        """, [at.sqlValue, SQLValue(status), .integer(id)])
                case let .retry(_, next, status, error):
                    try db.execute("""
                        UPDATE notifications SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?,
                            last_status = ?, last_error = ? WHERE id = ?
                        """, [next.sqlValue, SQLValue(status), .text(String(error.prefix(1000))), .integer(id)])
                case let .dead(_, status, error):
                    try db.execute("""
                        UPDATE notifications SET state = 'dead', attempts = attempts + 1, last_status = ?, last_error = ?
                        WHERE id = ?
                        """, [SQLValue(status), .text(String(error.prefix(1000))), .integer(id)])
                }
            }
        }
    }

    /// A page of notifications, newest first. A row that cannot be read is
    /// left out and reported (``corruptRows``).
    public func notifications(_ filter: NotificationFilter, limit: Int, before: Int64? = nil) async throws(StoreError) -> NotificationPage {
        let (clause, arguments) = Self.whereClause(filter, before: before)
        let corruptRows = corruptRows
        return try await reading { db in
            let rows = try db.query("""
                SELECT \(NotificationRow.columns) FROM notifications \(clause) ORDER BY id DESC LIMIT ?
                """, arguments + [.integer(Int64(limit + 1))], table: "notifications")
            let page = rows.prefix(limit).compactMap { row in corruptRows.reading { () throws(StoreError) in try NotificationRow(row).record } }
            let last = try rows.prefix(limit).last?.int("id")
            return NotificationPage(notifications: page, nextBefore: rows.count > limit ? last : nil)
        }
    }

    public func notification(id: Int64) async throws(StoreError) -> NotificationRecord? {
        try await reading { db in
            try db.queryOne("SELECT \(NotificationRow.columns) FROM notifications WHERE id = ?", [.integer(id)], table: "notifications")
                .map { try NotificationRow($0).record }
        }
    }

    /// Puts a dead letter back in the queue, due now, with a fresh retry window.
    /// - Parameter audit: who did it: an audit row in the same transaction.
    public func requeueNotification(id: Int64, now: Date, audit: AuditContext? = nil) async throws(StoreError) -> RequeueResult {
        try await writing { db in
            guard let found = try db.queryOne("SELECT state, job_id FROM notifications WHERE id = ?", [.integer(id)], table: "notifications")
            else {
                return .notFound
            }
            let state = try found.string("state")
            guard state == "dead" else { return .notDead(state: state) }
            try Self.requeue(db, clause: "WHERE id = ?", arguments: [.integer(id)], now: now)
            if let audit {
                try Self.appendAudit([AuditEntry(context: audit, action: "requeued", jobID: try found.string("job_id"), detail: "notification \(id)")],
                                     at: now, db: db)
            }
            guard let row = try db.queryOne("SELECT \(NotificationRow.columns) FROM notifications WHERE id = ?", [.integer(id)],
                                            table: "notifications") else { return .notFound }
            return .requeued(try NotificationRow(row).record)
        }
    }

    /// Requeues every dead letter the filter takes (its state is always dead).
    public func requeueNotifications(_ filter: NotificationFilter, now: Date, audit: AuditContext? = nil) async throws(StoreError) -> Int {
        var filter = filter
        filter.state = .dead
        let (clause, arguments) = Self.whereClause(filter, before: nil)
        let taken = filter
        return try await writing { db in
            let count = try Self.requeue(db, clause: clause, arguments: arguments, now: now)
            try Self.auditOutbox(audit, "requeued", count: count, filter: taken, id: nil, at: now, db: db)
            return count
        }
    }

    /// Deletes dead letters (one by id, or all the filter takes); other rows are kept.
    public func deleteDeadNotifications(id: Int64? = nil, _ filter: NotificationFilter = .init(), audit: AuditContext? = nil,
                                        now: Date = Date()) async throws(StoreError) -> Int {
        var filter = filter
        filter.state = .dead
        var (clause, arguments) = Self.whereClause(filter, before: nil)
        if let id {
            clause += " AND id = ?"
            arguments.append(.integer(id))
        }
        let (condition, values, taken) = (clause, arguments, filter)
        return try await writing { db in
            let job = try id.flatMap { try db.queryOne("SELECT job_id FROM notifications WHERE id = ?", [.integer($0)], table: "notifications")?
                .string("job_id") }
            let count = try db.execute("DELETE FROM notifications \(condition)", values)
            var filter = taken
            filter.job = filter.job ?? job
            try Self.auditOutbox(audit, "deleted", count: count, filter: filter, id: id, at: now, db: db)
            return count
        }
    }

    /// The audit row of an action on dead letters, when it took any.
    private static func auditOutbox(_ audit: AuditContext?, _ action: String, count: Int, filter: NotificationFilter, id: Int64?,
                                    at time: Date, db: any SQLConnection) throws {
        guard let audit, count > 0 else { return }
        let what = id.map { "notification \($0)" } ?? "\(count) dead notification\(count == 1 ? "" : "s")"
            + (filter.channel.map { " of channel \($0)" } ?? "")
        try appendAudit([AuditEntry(context: audit, action: action, jobID: filter.job, detail: what)], at: time, db: db)
    }

    /// Rows waiting or given up, by channel and state (`pending` covers `sending`).
    public func notificationCounts() async throws(StoreError) -> [String: [String: Int]] {
        try await reading { db in
            var counts: [String: [String: Int]] = [:]
            for row in try db.query("""
                SELECT channel, state, COUNT(*) AS n FROM notifications WHERE state IN ('pending', 'sending', 'dead')
                GROUP BY channel, state
                """, table: "notifications") {
                let state = try row.string("state") == "dead" ? "dead" : "pending"
                counts[try row.string("channel"), default: [:]][state, default: 0] += Int(try row.int("n"))
            }
            return counts
        }
    }

    /// Announces what job changes left unsaid, and repeats: a `down` for each
    /// job that went down while quiet (its maintenance has ended since), an
    /// `up` for each announced `down` that recovered while quiet, and, with
    /// `notifications.repeat_interval`, a repeat for each job still down whose
    /// last message is older than the interval. Quiet jobs are skipped.
    ///
    /// - Returns: how many outbox rows were written.
    public func announcePending(_ settings: NotificationSettings, now: Date) async throws(StoreError) -> Int {
        let outbox = Outbox(settings: settings, now: now, corruptRows: corruptRows)
        let repeatBefore = settings.repeatInterval.map { now.timeIntervalSince1970 - $0 } ?? -Double.greatestFiniteMagnitude
        let corruptRows = corruptRows
        return try await writing { db in
            let rows = try db.query("""
                SELECT s.job_id, s.notify_status, s.notify_previous, s.notify_since, s.notified_at FROM job_state s JOIN jobs j ON j.id = s.job_id
                WHERE s.notify_status IN ('failure', 'missed_deadline', 'timeout') AND (s.notified_at IS NULL OR s.notified_at <= ?)
                UNION ALL
                SELECT s.job_id, s.notify_status, s.notify_previous, s.notify_since, s.notified_at FROM job_state s JOIN jobs j ON j.id = s.job_id
                WHERE s.notify_status = 'success' AND s.notified_at IS NOT NULL
                """, [.real(repeatBefore)], table: "job_state")
            let due = rows.compactMap { row -> Outbox.Announcement? in
                guard let (id, status, notifiedAt, since, storedPrevious) = corruptRows.reading({ () throws(StoreError) in
                    (try row.jobID(), try row.string("notify_status"), try row.optionalDouble("notified_at"),
                     try row.optionalDouble("notify_since") ?? now.timeIntervalSince1970, try row.optionalString("notify_previous"))
                }) else { return nil }
                let isRepeat = notifiedAt != nil && NotificationKind.downStatuses.contains(status)
                let count = isRepeat ? max(1, Int((now.timeIntervalSince1970 - since) / max(settings.repeatInterval ?? 1, 1))) : 0
                return Outbox.Announcement(jobID: id, previous: isRepeat ? status : (storedPrevious ?? "pending"), status: status,
                                           notifiedAt: notifiedAt, at: now, lastRun: nil, repeatCount: count)
            }
            let written = try outbox.announce(due, db: db)
            return written + (try outbox.escalate(db: db))
        }
    }

    /// When the next escalation step of a job still down falls due (a read:
    /// the dispatcher wakes for it rather than waiting for its next pass).
    public func nextEscalation(_ settings: NotificationSettings, now: Date) async throws(StoreError) -> Date? {
        let outbox = Outbox(settings: settings, now: now, corruptRows: corruptRows)
        return try await reading { db in try outbox.escalations(db: db, send: false).next }
    }

    @discardableResult
    private static func requeue(_ db: any SQLConnection, clause: String, arguments: [SQLValue], now: Date) throws -> Int {
        try db.execute("""
            UPDATE notifications SET state = 'pending', attempts = 0, queued_at = ?, next_attempt_at = ?, last_error = NULL
            \(clause)
            """, [now.sqlValue, now.sqlValue] + arguments)
    }

    private static func whereClause(_ filter: NotificationFilter, before: Int64?) -> (String, [SQLValue]) {
        var conditions = ["1 = 1"]
        var arguments: [SQLValue] = []
        if let states = filter.rowStates {
            conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            arguments += states.map(SQLValue.text)
        }
        if let channel = filter.channel { conditions.append("channel = ?"); arguments.append(.text(channel)) }
        if let job = filter.job { conditions.append("job_id = ?"); arguments.append(.text(job)) }
        if let before { conditions.append("id < ?"); arguments.append(.integer(before)) }
        return ("WHERE " + conditions.joined(separator: " AND "), arguments)
    }
}
