import Foundation

/// Hourly and daily counts per job (`rollups`), written in the transaction
/// of each result, missed deadline and timeout: statistics over 90 days read
/// about a hundred rows per job, and outlive the raw results
/// (`retention.rollup_days`).
///
/// Every column adds: counts by `+`, the maximum by `GREATEST`, the
/// duration sketch by `cronmetrics_sketch_merge`, in the upsert itself, so
/// two replicas adding to one row at once both count (no read, then write).
enum Rollups {
    /// One run's outcome to count.
    struct Event: Sendable {
        var jobID: JobID
        var at: Date
        var outcome: Outcome
        var duration: Double?
    }

    enum Outcome: Sendable {
        case success, failure, missedDeadline, timeout
    }

    /// The grains kept: an hour and a UTC day, in seconds.
    static let hour = 3_600
    static let day = 86_400
    static let grains = [hour, day]

    /// The start of the `grain` that holds `at`.
    static func start(of at: Date, grain: Int) -> Double {
        (at.timeIntervalSince1970 / Double(grain)).rounded(.down) * Double(grain)
    }

    struct Key: Hashable {
        var job: String
        var grain: Int
        var start: Double
    }

    /// Adds the events to their hourly and daily rows (rows with several
    /// events added up first: one statement may not touch a row twice).
    static func add(_ events: [Event], db: any SQLConnection) throws {
        guard !events.isEmpty else { return }
        var rows: [Key: RunCounts] = [:]
        for event in events {
            var counts = RunCounts()
            switch event.outcome {
            case .success: counts.successes = 1
            case .failure: counts.failures = 1
            case .missedDeadline: counts.missedDeadlines = 1
            case .timeout: counts.timeouts = 1
            }
            if let duration = event.duration, duration.isFinite, duration >= 0 {
                counts.durationMax = duration
                counts.durations.add(duration)
            }
            for grain in grains {
                rows[Key(job: event.jobID.description, grain: grain, start: start(of: event.at, grain: grain)), default: RunCounts()].add(counts)
            }
        }
        try upsert(rows.map { ($0.key, $0.value) }, db: db)
    }

    /// ``add(_:db:)``, and how many rows it wrote or added to.
    static func addCounting(_ events: [Event], db: any SQLConnection) throws -> Int {
        let keys = Set(events.flatMap { event in grains.map { Key(job: event.jobID.description, grain: $0, start: start(of: event.at, grain: $0)) } })
        try add(events, db: db)
        return keys.count
    }

    static func upsert(_ rows: [(Key, RunCounts)], db: any SQLConnection) throws {
        let d = db.dialect
        for chunk in rows.chunks(of: JobRow.rowsPerStatement) {
            var arguments: [SQLValue] = []
            arguments.reserveCapacity(chunk.count * 10)
            for (key, counts) in chunk {
                arguments += [.text(key.job), .integer(Int64(key.grain)), .real(key.start), .integer(Int64(counts.runs)),
                              .integer(Int64(counts.successes)), .integer(Int64(counts.failures)), .integer(Int64(counts.missedDeadlines)),
                              .integer(Int64(counts.timeouts)), SQLValue(counts.durationMax),
                              counts.durations.isEmpty ? .null : .text(counts.durations.json)]
            }
            try db.send("""
                INSERT INTO rollups (job_id, grain, start, runs, successes, failures, missed, timeouts, duration_max, sketch)
                VALUES \(SQLDialect.valueRows(chunk.count, columns: 10))
                ON CONFLICT(job_id, grain, start) DO UPDATE SET
                    runs = rollups.runs + excluded.runs, successes = rollups.successes + excluded.successes,
                    failures = rollups.failures + excluded.failures, missed = rollups.missed + excluded.missed,
                    timeouts = rollups.timeouts + excluded.timeouts,
                    duration_max = \(d.greatest("COALESCE(rollups.duration_max, excluded.duration_max)", "COALESCE(excluded.duration_max, rollups.duration_max)")),
                    sketch = cronmetrics_sketch_merge(rollups.sketch, excluded.sketch)
                """, arguments)
        }
    }

    /// The counts of a row read back.
    static func counts(_ row: SQLRow) throws(StoreError) -> RunCounts {
        RunCounts(successes: Int(try row.int("successes")), failures: Int(try row.int("failures")),
                  missedDeadlines: Int(try row.int("missed")), timeouts: Int(try row.int("timeouts")),
                  durationMax: try row.optionalDouble("duration_max"),
                  durations: try row.optionalString("sketch").flatMap(DurationSketch.init(json:)) ?? DurationSketch())
    }
}
