import Foundation

/// What the store knows of one job's behaviour in a window: its runs (from
/// rollups), its time (from flips) and its current streak.
public struct JobHistory: Sendable, Hashable {
    public var counts = RunCounts()
    public var timeline = Timeline()
    public var streak: JobStatistics.Streak?

    public init() {}
}

/// One job's hours in a window, for its strip of days (``DayStrip``).
public struct HourlyHistory: Sendable {
    public var hours: [(start: Date, counts: RunCounts)] = []
    public var flips: [Flip] = []
    /// The state the window starts in, its last lifecycle flip before the window, and when it was first seen.
    public var health: String?
    public var life: Flip?
    public var firstSeen: Date?

    public init() {}
}

extension StateStore {
    /// The history of each job in `ids` (nil: every job with a state row) over `window`.
    ///
    /// The state a job starts the window in is its first flip's `from` inside
    /// the window (or its current state, if it did not flip), and its last
    /// lifecycle flip before the window (its life has no `from` with a maintenance's end).
    public func histories(_ ids: [JobID]?, window: StatsWindow) async throws(StoreError) -> [JobID: JobHistory] {
        // No job: nothing to read (and `IN ()` is not SQL PostgreSQL takes).
        if ids?.isEmpty == true { return [:] }
        let corruptRows = corruptRows
        return try await reading { db in
            let filter = ids.map { "job_id IN (\(SQLDialect.list($0.count)))" }
            let idValues = ids?.map { SQLValue.text($0.description) } ?? []
            func and(_ sql: String) -> String { filter.map { "\(sql) AND \($0)" } ?? sql }
            var histories: [JobID: JobHistory] = [:]
            var states: [JobID: (health: String?, firstSeen: Date?)] = [:]
            for row in try db.query("""
                SELECT job_id, notify_status, first_seen, streak, streak_since FROM job_state \(filter.map { "WHERE \($0)" } ?? "")
                """, idValues, table: "job_state") {
                guard let (id, health, firstSeen, streak) = corruptRows.reading({ () throws(StoreError) in
                    (try row.jobID(), try row.optionalString("notify_status"), try row.optionalDate("first_seen"),
                     try row.int("streak"))
                }) else { continue }
                states[id] = (health, firstSeen)
                histories[id] = JobHistory()
                if let health, streak > 0 {
                    histories[id]?.streak = .init(status: Flip.failing.contains(health) ? "failing" : "success", runs: Int(streak),
                                                  since: try row.optionalDate("streak_since"))
                }
            }
            for part in window.cover {
                for row in try db.query(and("""
                    SELECT job_id, successes, failures, missed, timeouts, duration_max, sketch FROM rollups
                    WHERE grain = ? AND start >= ? AND start < ?
                    """), [.integer(Int64(part.grain)), .real(part.from), .real(part.to)] + idValues, table: "rollups") {
                    guard let (id, counts) = corruptRows.reading({ () throws(StoreError) in (try row.jobID(), try Rollups.counts(row)) }),
                          histories[id] != nil else { continue }
                    histories[id]?.counts.add(counts)
                }
            }
            var inside: [JobID: [Flip]] = [:]
            for row in try db.query(and("""
                SELECT id, job_id, at, from_status, to_status, reason, run_id, until_at FROM flips WHERE at >= ? AND at <= ?
                """) + " ORDER BY at, id", [window.from.sqlValue, window.to.sqlValue] + idValues, table: "flips") {
                guard let (id, flip) = corruptRows.reading({ () throws(StoreError) in (try row.jobID(), try Self.flip(row)) }) else { continue }
                inside[id, default: []].append(flip)
            }
            // A job that did not flip inside the window started it in the
            // state its next flip left (a past window), else in its current one.
            var after: [JobID: String?] = [:]
            for row in try db.query("""
                SELECT job_id, from_status FROM flips WHERE id IN (
                    SELECT MIN(id) FROM flips WHERE \(and("reason <> 'lifecycle' AND at > ?")) GROUP BY job_id)
                """, [window.to.sqlValue] + idValues, table: "flips") {
                guard let (id, from) = corruptRows.reading({ () throws(StoreError) in (try row.jobID(), try row.optionalString("from_status")) })
                else { continue }
                after[id] = from
            }
            var lives: [JobID: Flip] = [:]
            for row in try db.query("""
                SELECT id, job_id, at, from_status, to_status, reason, run_id, until_at FROM flips WHERE id IN (
                    SELECT MAX(id) FROM flips WHERE \(and("reason = 'lifecycle' AND at < ?")) GROUP BY job_id)
                """, [window.from.sqlValue] + idValues, table: "flips") {
                guard let (id, flip) = corruptRows.reading({ () throws(StoreError) in (try row.jobID(), try Self.flip(row)) }) else { continue }
                lives[id] = flip
            }
            for (id, state) in states {
                let flips = inside[id] ?? []
                let health = flips.first { !$0.isLifecycle }.map(\.from) ?? after[id] ?? state.health
                histories[id]?.timeline = Timeline(window: window, health: health, life: lives[id], flips: flips, firstSeen: state.firstSeen)
            }
            return histories
        }
    }

    /// The runs of each of `ids` (nil: every job) in `window`, counted from
    /// rollups alone (no sketches, no flips): what an SLO and the
    /// dashboard's 7-day ratio need, cheap enough to ask each minute.
    public func runCounts(_ ids: [JobID]?, window: StatsWindow) async throws(StoreError) -> [JobID: RunCounts] {
        let corruptRows = corruptRows
        return try await reading { db in
            var counts: [JobID: RunCounts] = [:]
            for chunk in ids.map({ $0.chunks(of: 500).map(Optional.some) }) ?? [nil] {
                let filter = chunk.map { "AND job_id IN (\(SQLDialect.list($0.count)))" } ?? ""
                for part in window.cover {
                    for row in try db.query("""
                        SELECT job_id, CAST(SUM(successes) AS BIGINT) AS successes, CAST(SUM(failures) AS BIGINT) AS failures,
                            CAST(SUM(missed) AS BIGINT) AS missed, CAST(SUM(timeouts) AS BIGINT) AS timeouts
                        FROM rollups WHERE grain = ? AND start >= ? AND start < ? \(filter)
                        GROUP BY job_id
                        """, [.integer(Int64(part.grain)), .real(part.from), .real(part.to)] + (chunk ?? []).map { .text($0.description) },
                        table: "rollups") {
                        guard let (id, part) = corruptRows.reading({ () throws(StoreError) in
                            (try row.jobID(), RunCounts(successes: Int(try row.int("successes")), failures: Int(try row.int("failures")),
                                                        missedDeadlines: Int(try row.int("missed")), timeouts: Int(try row.int("timeouts"))))
                        }) else { continue }
                        counts[id, default: RunCounts()].add(part)
                    }
                }
            }
            return counts
        }
    }

    /// One job's hours in `window`: its hourly rollups, its flips inside the
    /// window, and the state it starts the window in (as ``histories(_:window:)``
    /// reads it), for the dashboard's strip of days.
    public func hourlyHistory(_ id: JobID, window: StatsWindow) async throws(StoreError) -> HourlyHistory {
        let corruptRows = corruptRows
        return try await reading { db in
            var history = HourlyHistory()
            let job = SQLValue.text(id.description)
            var current: String?
            if let row = try db.queryOne("SELECT notify_status, first_seen FROM job_state WHERE job_id = ?", [job], table: "job_state") {
                current = try row.optionalString("notify_status")
                history.firstSeen = try row.optionalDate("first_seen")
            }
            for row in try db.query("""
                SELECT job_id, start, successes, failures, missed, timeouts, duration_max, sketch FROM rollups
                WHERE job_id = ? AND grain = 3600 AND start >= ? AND start <= ? ORDER BY start
                """, [job, .real(window.from.timeIntervalSince1970), .real(window.to.timeIntervalSince1970)], table: "rollups") {
                guard let hour = corruptRows.reading({ () throws(StoreError) in (start: try row.date("start"), counts: try Rollups.counts(row)) })
                else { continue }
                history.hours.append(hour)
            }
            for row in try db.query("""
                SELECT id, job_id, at, from_status, to_status, reason, run_id, until_at FROM flips
                WHERE job_id = ? AND at >= ? AND at <= ? ORDER BY at, id
                """, [job, window.from.sqlValue, window.to.sqlValue], table: "flips") {
                guard let flip = corruptRows.reading({ () throws(StoreError) in try Self.flip(row) }) else { continue }
                history.flips.append(flip)
            }
            if let row = try db.queryOne("""
                SELECT id, job_id, at, from_status, to_status, reason, run_id, until_at FROM flips
                WHERE job_id = ? AND reason = 'lifecycle' AND at < ? ORDER BY at DESC, id DESC LIMIT 1
                """, [job, window.from.sqlValue], table: "flips") {
                history.life = corruptRows.reading { () throws(StoreError) in try Self.flip(row) }
            }
            history.health = history.flips.first { !$0.isLifecycle }.map(\.from) ?? current
            return history
        }
    }

    /// A job's flips, newest first.
    /// - Parameter beforeID: only flips with a smaller id (the cursor of the previous page).
    public func flips(for id: JobID, limit: Int, beforeID: Int64? = nil) async throws(StoreError) -> [Flip] {
        let corruptRows = corruptRows
        return try await reading { db in
            try db.query("""
                SELECT id, job_id, at, from_status, to_status, reason, run_id, until_at FROM flips
                WHERE job_id = ? AND id < ? ORDER BY id DESC LIMIT ?
                """, [.text(id.description), .integer(beforeID ?? Int64.max), .integer(Int64(limit))], table: "flips")
                .compactMap { row in corruptRows.reading { () throws(StoreError) in try Self.flip(row) } }
        }
    }

    static func flip(_ row: SQLRow) throws(StoreError) -> Flip {
        Flip(id: try row.int("id"), at: try row.date("at"), from: try row.optionalString("from_status"), to: try row.string("to_status"),
             reason: try row.string("reason"), runId: try row.optionalString("run_id"), until: try row.optionalDate("until_at"))
    }
}

extension StateStore {
    /// Recounts the rollups of every hour from `since` (rounded down to a UTC
    /// day) from the raw history: results, timed-out runs, and the
    /// `deadline` flips (one per missed deadline). Rollups before `since`
    /// are kept: raw results older than `retention.days` are gone, and
    /// those rollups are all that is left of them.
    ///
    /// One transaction: a server running beside it waits for it (PostgreSQL:
    /// the rollups table is locked first, so a result stored meanwhile is
    /// counted once, after the rebuild).
    /// - Returns: the start of the rebuilt span and the rows it wrote.
    @discardableResult
    public func rebuildRollups(since: Date) async throws(StoreError) -> (from: Date, rows: Int) {
        let from = Rollups.start(of: since, grain: Rollups.day)
        return try await writing { db in
            if db.dialect == .postgres { try db.execute("LOCK TABLE rollups IN EXCLUSIVE MODE") }
            try db.execute("DELETE FROM rollups WHERE start >= ?", [.real(from)])
            var events: [Rollups.Event] = []
            var rows = 0
            func flush() throws {
                guard !events.isEmpty else { return }
                rows += try Rollups.addCounting(events, db: db)
                events.removeAll(keepingCapacity: true)
            }
            // Job by job in id order, so a job's events meet in one batch
            // (a row is written once, not added to twice from two batches).
            for row in try db.query("""
                SELECT job_id, received_at AS at, status, duration FROM results
                WHERE received_at >= ? AND status IN ('success', 'failure')
                    AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.result_id = results.id AND runs.timed_out_at IS NOT NULL)
                UNION ALL SELECT job_id, timed_out_at, 'timeout', NULL FROM runs WHERE timed_out_at >= ?
                UNION ALL SELECT job_id, at, 'missed_deadline', NULL FROM flips WHERE reason = 'deadline' AND at >= ?
                ORDER BY job_id
                """, [.real(from), .real(from), .real(from)], table: "results") {
                let id = try row.jobID()
                if events.count >= 50_000, events.last?.jobID != id { try flush() }
                let outcome: Rollups.Outcome = switch try row.string("status") {
                case "success": .success
                case "failure": .failure
                case "timeout": .timeout
                default: .missedDeadline
                }
                events.append(Rollups.Event(jobID: id, at: try row.date("at"), outcome: outcome, duration: try row.optionalDouble("duration")))
            }
            try flush()
            return (Date(timeIntervalSince1970: from), rows)
        }
    }
}
