import Foundation

/// Writes `flips` rows: the changes of health ``Outbox`` makes, a new missed
/// deadline while already missing, and the changes of a job's life a reload makes.
enum FlipRows {
    /// Inserts flips of any jobs, many to a statement.
    static func insert(_ flips: [(JobID, Flip)], db: any SQLConnection) throws {
        var values: [SQLValue] = []
        values.reserveCapacity(flips.count * 7)
        for (id, flip) in flips {
            values += [.text(id.description), flip.at.sqlValue, SQLValue(flip.from), .text(flip.to), .text(flip.reason),
                       SQLValue(flip.runId), SQLValue(flip.until?.timeIntervalSince1970)]
        }
        for chunk in values.chunks(of: 7 * JobRow.rowsPerStatement) {
            try db.send("""
                INSERT INTO flips (job_id, at, from_status, to_status, reason, run_id, until_at)
                VALUES \(SQLDialect.valueRows(chunk.count / 7, columns: 7))
                """, Array(chunk))
        }
    }

    /// A job's life as its flips and `job_state.lifecycle` say it.
    struct Life: Equatable {
        var status: String
        var until: Double?

        init(status: String, until: Double?) {
            (self.status, self.until) = (status, until)
        }

        init(_ job: Job) {
            status = job.status.rawValue
            until = job.status == .maintenance ? job.maintenanceUntil?.timeIntervalSince1970 : nil
        }

        static let removed = Life(status: Flip.removed, until: nil)
    }

    /// Records each job's life where it differs from the stored one: the
    /// `job_state` columns and a `lifecycle` flip. The update only takes a
    /// row still different, so two replicas applying one reload flip once
    /// (PostgreSQL re-checks the condition after waiting for the other's lock).
    static func lifecycle(_ lives: [(JobID, Life)], at: Date, db: any SQLConnection) throws {
        guard !lives.isEmpty else { return }
        let d = db.dialect
        for chunk in lives.chunks(of: JobRow.rowsPerStatement) {
            var stored: [String: Life?] = [:]
            let ids = chunk.map { SQLValue.text($0.0.description) }
            for row in try db.query("SELECT job_id, lifecycle, lifecycle_until FROM job_state WHERE job_id IN (\(SQLDialect.list(ids.count)))",
                                    ids, table: "job_state") {
                // updateValue: a NULL life is a value here (a subscript set of nil would drop the key).
                stored.updateValue(try row.optionalString("lifecycle").map { Life(status: $0, until: try row.optionalDouble("lifecycle_until")) },
                                   forKey: try row.string("job_id"))
            }
            let differing = chunk.filter { id, life in stored[id.description].map { $0 != life } ?? false }
            guard !differing.isEmpty else { continue }
            let sql = """
                UPDATE job_state SET lifecycle = v.column2, lifecycle_until = v.column3
                FROM (VALUES \(SQLDialect.valueRows(differing.count, row: "(\(d.text("?")), \(d.text("?")), \(d.real("?")))"))) AS v
                WHERE job_state.job_id = v.column1
                    AND (job_state.lifecycle IS DISTINCT FROM v.column2 OR job_state.lifecycle_until IS DISTINCT FROM v.column3)
                RETURNING job_id
                """
            let arguments = differing.flatMap { id, life in [SQLValue.text(id.description), .text(life.status), SQLValue(life.until)] }
            let made = Set(try db.query(sql, arguments, table: "job_state").map { try $0.string("job_id") })
            try insert(differing.filter { made.contains($0.0.description) }.map { id, life in
                (id, Flip(at: at, from: stored[id.description].flatMap { $0?.status }, to: life.status,
                          reason: FlipReason.lifecycle.rawValue, until: life.until.map(Date.init(timeIntervalSince1970:))))
            }, db: db)
        }
    }
}
