import Foundation

/// A row of the `jobs` table: the reconciled definition of one job, as the
/// canonical JSON of its file's fields (``Job/definitionJSON``), read back by
/// the job-file decoder. A new job-file field needs nothing here.
struct JobRow: Sendable {
    var id: JobID
    var path: String
    var contentHash: String
    var firstSeen: Date
    /// The definition's JSON, when read from the table.
    var definition: String?
    /// The definition, when the caller had it in memory.
    var job: Job?

    init(stored: StoredJob) {
        id = stored.job.id
        path = stored.path
        contentHash = stored.contentHash
        firstSeen = stored.firstSeen
        job = stored.job
    }

    init(row: SQLRow) throws(StoreError) {
        id = try row.jobID("id")
        path = try row.string("path")
        contentHash = try row.string("content_hash")
        firstSeen = try row.date("first_seen")
        definition = try row.string("definition")
    }

    /// Whether this row holds `job` as it is (compared as text when read
    /// from the table: no decoding of unchanged rows at start).
    func defines(_ other: Job) -> Bool {
        if let job { return job == other }
        return definition == other.definitionJSON
    }

    /// The row as a job.
    /// - Throws: ``StoreError/corruptRow(table:column:problem:)`` when the
    ///   decoder refuses the definition, or it names another job.
    func stored() throws(StoreError) -> StoredJob {
        let decoded: Job
        if let job {
            decoded = job
        } else {
            do {
                decoded = try Job(definition: definition ?? "")
            } catch {
                throw .corruptRow(table: "jobs", column: "definition", problem: "job \(id): \(error.message)")
            }
        }
        guard decoded.id == id else {
            throw .corruptRow(table: "jobs", column: "definition", problem: "row \(id) defines \(decoded.id)")
        }
        return StoredJob(job: decoded, path: path, contentHash: contentHash, firstSeen: firstSeen)
    }

    static func all(_ connection: any SQLConnection) throws -> [JobID: JobRow] {
        var rows: [JobID: JobRow] = [:]
        for row in try connection.query("SELECT id, path, content_hash, first_seen, definition FROM jobs", table: "jobs") {
            let job = try JobRow(row: row)
            rows[job.id] = job
        }
        return rows
    }

    /// The jobs' definitions, for the outbox (their channels, labels, and
    /// whether they are quiet); a job gone from the table is not in the
    /// answer, nor is one whose row cannot be read (reported to `corruptRows`).
    static func jobs(_ ids: [JobID], _ connection: any SQLConnection, corruptRows: CorruptRows) throws -> [JobID: Job] {
        var jobs: [JobID: Job] = [:]
        for chunk in ids.chunks(of: rowsPerStatement) {
            for row in try connection.query("""
                SELECT id, path, content_hash, first_seen, definition FROM jobs WHERE id IN (\(SQLDialect.list(chunk.count)))
                """, chunk.map { .text($0.description) }, table: "jobs") {
                if let job = corruptRows.reading({ () throws(StoreError) in try JobRow(row: row).stored().job }) { jobs[job.id] = job }
            }
        }
        return jobs
    }

    /// Inserts or updates one job, keeping its `first_seen`.
    /// Writes jobs, each with its first-seen time, in statements of up to
    /// ``rowsPerStatement`` rows (one round trip each on PostgreSQL).
    static func upsert(_ entries: [(entry: CatalogEntry, firstSeen: Date)], updatedAt: Date, _ connection: any SQLConnection) throws {
        for chunk in entries.chunks(of: rowsPerStatement) {
            let values = SQLDialect.valueRows(chunk.count, columns: 6)
            try connection.execute("""
                INSERT INTO jobs (id, path, definition, content_hash, first_seen, updated_at) VALUES \(values)
                ON CONFLICT(id) DO UPDATE SET path = excluded.path, definition = excluded.definition,
                    content_hash = excluded.content_hash, updated_at = excluded.updated_at
                """, chunk.flatMap { entry, firstSeen -> [SQLValue] in
                    [.text(entry.job.id.description), .text(entry.path), .text(entry.job.definitionJSON), .text(entry.contentHash),
                     firstSeen.sqlValue, updatedAt.sqlValue]
                })
        }
    }

    /// Rows in one multi-row statement: few round trips, far under either
    /// database's limit on parameters.
    static let rowsPerStatement = 500
}
