import Foundation
import GRDB

/// The outbox as the dispatcher and the admin API use it. Rows go
/// `pending` → `sending` (claimed) → `delivered`, back to `pending` with a
/// later `next_attempt_at`, or `dead`. A crash leaves claimed rows `sending`;
/// ``resetSending()`` puts them back at start, so delivery is at least once.
extension AppDatabase {
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

    /// Puts rows a crash left `sending` back in the queue.
    @discardableResult
    public func resetSending() async throws(StoreError) -> Int {
        try await writing { db in
            try db.execute(sql: "UPDATE notifications SET state = 'pending' WHERE state = 'sending'")
            return db.changesCount
        }
    }

    /// Puts back the rows one channel claimed and did not finish (its worker stopped).
    @discardableResult
    public func releaseClaims(channel: String) async throws(StoreError) -> Int {
        try await writing { db in
            try db.execute(sql: "UPDATE notifications SET state = 'pending' WHERE state = 'sending' AND channel = ?", arguments: [channel])
            return db.changesCount
        }
    }

    /// Waiting rows of channels no longer configured become dead letters
    /// (requeue them once the channel is back).
    public func abandonNotifications(keeping channels: Set<String>) async throws(StoreError) -> Int {
        let names = Array(channels)
        return try await writing { db in
            let placeholders = names.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: """
                UPDATE notifications SET state = 'dead', last_error = 'channel ' || channel || ' is not configured'
                WHERE state = 'pending' \(names.isEmpty ? "" : "AND channel NOT IN (\(placeholders))")
                """, arguments: StatementArguments(names))
            return db.changesCount
        }
    }

    /// Whether a row of `channel` is due by `now`, and if none is, when the
    /// next one will be (a read: an idle dispatcher never takes the writer).
    public func notificationsDue(channel: String, now: Date) throws(StoreError) -> (due: Bool, next: Date?) {
        try reading { db in
            let next = try Double.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM notifications WHERE state = 'pending' AND channel = ?
                """, arguments: [channel])
            return (next.map { $0 <= now.timeIntervalSince1970 } ?? false, next.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Takes up to `limit` due rows of `channel`, oldest due first: they become
    /// `sending` until their outcome is recorded.
    public func claimNotifications(channel: String, now: Date, limit: Int) async throws(StoreError) -> [ClaimedNotification] {
        try await writing { db in
            let rows = try NotificationRow.fetchAll(db, sql: """
                UPDATE notifications SET state = 'sending' WHERE id IN (
                    SELECT id FROM notifications WHERE state = 'pending' AND channel = ? AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?)
                RETURNING \(NotificationRow.columns)
                """, arguments: [channel, now.timeIntervalSince1970, limit])
            return rows.sorted { $0.record.id < $1.record.id }.map { ClaimedNotification(record: $0.record, queuedAt: $0.queuedAt) }
        }
    }

    /// Writes the outcomes of several tries in one transaction.
    public func recordDeliveries(_ updates: [(id: Int64, update: NotificationUpdate)]) async throws(StoreError) {
        guard !updates.isEmpty else { return }
        try await writing { db in
            for (id, update) in updates {
                switch update {
                case let .delivered(at, status):
                    try db.execute(sql: """
                        UPDATE notifications SET state = 'delivered', attempts = attempts + 1, delivered_at = ?,
                            last_status = ?, last_error = NULL WHERE id = ?
                        """, arguments: [at.timeIntervalSince1970, status, id])
                case let .retry(_, next, status, error):
                    try db.execute(sql: """
                        UPDATE notifications SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?,
                            last_status = ?, last_error = ? WHERE id = ?
                        """, arguments: [next.timeIntervalSince1970, status, String(error.prefix(1000)), id])
                case let .dead(_, status, error):
                    try db.execute(sql: """
                        UPDATE notifications SET state = 'dead', attempts = attempts + 1, last_status = ?, last_error = ?
                        WHERE id = ?
                        """, arguments: [status, String(error.prefix(1000)), id])
                }
            }
            return ()
        }
    }

    /// A page of notifications, newest first.
    public func notifications(_ filter: NotificationFilter, limit: Int, before: Int64? = nil) throws(StoreError) -> NotificationPage {
        try reading { db in
            let (clause, arguments) = Self.whereClause(filter, before: before)
            let rows = try NotificationRow.fetchAll(db, sql: """
                SELECT \(NotificationRow.columns) FROM notifications \(clause) ORDER BY id DESC LIMIT ?
                """, arguments: StatementArguments(arguments + [(limit + 1).databaseValue]))
            let page = rows.prefix(limit).map(\.record)
            return NotificationPage(notifications: page, nextBefore: rows.count > limit ? page.last?.id : nil)
        }
    }

    public func notification(id: Int64) throws(StoreError) -> NotificationRecord? {
        try reading { db in
            try NotificationRow.fetchOne(db, sql: "SELECT \(NotificationRow.columns) FROM notifications WHERE id = ?", arguments: [id])?.record
        }
    }

    /// Puts a dead letter back in the queue, due now, with a fresh retry window.
    public func requeueNotification(id: Int64, now: Date) async throws(StoreError) -> RequeueResult {
        try await writing { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM notifications WHERE id = ?", arguments: [id]) else {
                return .notFound
            }
            guard state == "dead" else { return .notDead(state: state) }
            try Self.requeue(db, clause: "WHERE id = ?", arguments: [id.databaseValue], now: now)
            guard let row = try NotificationRow.fetchOne(db, sql: "SELECT \(NotificationRow.columns) FROM notifications WHERE id = ?",
                                                         arguments: [id]) else { return .notFound }
            return .requeued(row.record)
        }
    }

    /// Requeues every dead letter the filter takes (its state is always dead).
    public func requeueNotifications(_ filter: NotificationFilter, now: Date) async throws(StoreError) -> Int {
        var filter = filter
        filter.state = .dead
        let (clause, arguments) = Self.whereClause(filter, before: nil)
        return try await writing { db in
            try Self.requeue(db, clause: clause, arguments: arguments, now: now)
            return db.changesCount
        }
    }

    /// Deletes dead letters (one by id, or all the filter takes); other rows are kept.
    public func deleteDeadNotifications(id: Int64? = nil, _ filter: NotificationFilter = .init()) async throws(StoreError) -> Int {
        var filter = filter
        filter.state = .dead
        var (where_, values) = Self.whereClause(filter, before: nil)
        if let id {
            where_ += " AND id = ?"
            values += [id.databaseValue]
        }
        let (clause, arguments) = (where_, values)
        return try await writing { db in
            try db.execute(sql: "DELETE FROM notifications \(clause)", arguments: StatementArguments(arguments))
            return db.changesCount
        }
    }

    /// Rows waiting or given up, by channel and state (`pending` covers `sending`).
    public func notificationCounts() throws(StoreError) -> [String: [String: Int]] {
        try reading { db in
            var counts: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT channel, state, COUNT(*) AS n FROM notifications WHERE state IN ('pending', 'sending', 'dead')
                GROUP BY channel, state
                """) {
                let state: String = row["state"] == "dead" ? "dead" : "pending"
                counts[row["channel"], default: [:]][state, default: 0] += row["n"] as Int
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
        let outbox = Outbox(settings: settings, now: now)
        let repeatBefore = settings.repeatInterval.map { now.timeIntervalSince1970 - $0 } ?? -Double.infinity
        return try await writing { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.job_id, s.notify_status, s.notify_previous, s.notify_since, s.notified_at FROM job_state s JOIN jobs j ON j.id = s.job_id
                WHERE s.notify_status IN ('failure', 'missed_deadline', 'timeout') AND (s.notified_at IS NULL OR s.notified_at <= ?)
                UNION ALL
                SELECT s.job_id, s.notify_status, s.notify_previous, s.notify_since, s.notified_at FROM job_state s JOIN jobs j ON j.id = s.job_id
                WHERE s.notify_status = 'success' AND s.notified_at IS NOT NULL
                """, arguments: [repeatBefore])
            var written = 0
            for row in rows {
                guard let id = JobID(row["job_id"] as String) else { continue }
                let status: String = row["notify_status"]
                let notifiedAt: Double? = row["notified_at"]
                let since: Double = row["notify_since"] ?? now.timeIntervalSince1970
                let isRepeat = notifiedAt != nil && NotificationKind.downStatuses.contains(status)
                let count = isRepeat ? max(1, Int((now.timeIntervalSince1970 - since) / max(settings.repeatInterval ?? 1, 1))) : 0
                let previous: String = isRepeat ? status : (row["notify_previous"] ?? "pending")
                written += try outbox.announce(id, previous: previous,
                                               status: status, notifiedAt: notifiedAt, at: now, lastRun: nil,
                                               repeatCount: count, db: db)
            }
            return written
        }
    }

    private static func requeue(_ db: Database, clause: String, arguments: [DatabaseValue], now: Date) throws {
        let time = now.timeIntervalSince1970.databaseValue
        try db.execute(sql: """
            UPDATE notifications SET state = 'pending', attempts = 0, queued_at = ?, next_attempt_at = ?, last_error = NULL
            \(clause)
            """, arguments: StatementArguments([time, time] + arguments))
    }

    private static func whereClause(_ filter: NotificationFilter, before: Int64?) -> (String, [DatabaseValue]) {
        var conditions = ["1 = 1"]
        var arguments: [DatabaseValue] = []
        if let states = filter.rowStates {
            conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            arguments += states.map(\.databaseValue)
        }
        if let channel = filter.channel { conditions.append("channel = ?"); arguments.append(channel.databaseValue) }
        if let job = filter.job { conditions.append("job_id = ?"); arguments.append(job.databaseValue) }
        if let before { conditions.append("id < ?"); arguments.append(before.databaseValue) }
        return ("WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await dbWriter.write(body)
        } catch {
            throw .query("\(error)")
        }
    }

    func reading<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try dbWriter.read(body)
        } catch {
            throw .query("\(error)")
        }
    }
}
