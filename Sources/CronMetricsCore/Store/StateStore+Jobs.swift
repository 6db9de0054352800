import Foundation

extension StateStore {
    /// Makes the job table equal to `catalog` in one transaction, keeping each
    /// surviving job's first-seen time. Results of removed jobs stay.
    ///
    /// - Parameters:
    ///   - catalog: the validated tree.
    ///   - previous: the table as the caller last left it, or nil to read it
    ///     (a caller that is the table's only writer passes what the previous
    ///     call returned, so a reload does not re-read every row).
    ///   - now: stamps first-seen times of new jobs.
    ///   - audit: whom the changes are credited to: each job added, changed,
    ///     moved or removed gets an audit row in this transaction. nil: none.
    /// - Returns: what changed, and the table as it now is.
    public func apply(_ catalog: JobCatalog, previous: [JobID: StoredJob]? = nil, now: Date,
                      audit: AuditSource? = nil) async throws(StoreError) -> (CatalogDiff, [JobID: StoredJob]) {
        try await writing { connection in
            var diff = CatalogDiff()
            var entries: [AuditEntry] = []
            func record(_ action: String, _ id: JobID, old: JobRow?, new: CatalogEntry?) {
                guard let audit else { return }
                let context = audit.context(old: old?.path, new: new?.path)
                entries.append(AuditEntry(context: context, action: action, jobID: id.description, path: new?.path ?? old?.path,
                                          hashBefore: old?.contentHash, hashAfter: new?.contentHash,
                                          detail: old.flatMap { old in new.flatMap { $0.path == old.path ? nil : "from \(old.path)" } }))
            }
            var existing = try previous.map { $0.mapValues(JobRow.init(stored:)) } ?? JobRow.all(connection)
            var current: [JobID: StoredJob] = [:]
            current.reserveCapacity(catalog.count)
            var writes: [(entry: CatalogEntry, firstSeen: Date)] = []
            var added: [CatalogEntry] = []
            for (id, entry) in catalog.entries {
                guard let old = existing.removeValue(forKey: id) else {
                    diff.added.append(id)
                    added.append(entry)
                    record("added", id, old: nil, new: entry)
                    continue
                }
                let sameJob = old.defines(entry.job)
                if !sameJob {
                    diff.changed.append(id)
                    record("changed", id, old: old, new: entry)
                } else if old.path != entry.path {
                    diff.moved.append(id)
                    record("moved", id, old: old, new: entry)
                }
                if !sameJob || old.path != entry.path || old.contentHash != entry.contentHash {
                    writes.append((entry, old.firstSeen))
                }
                current[id] = StoredJob(job: entry.job, path: entry.path, contentHash: entry.contentHash, firstSeen: old.firstSeen)
            }
            // New jobs, many rows to a statement. One known before (removed,
            // now back) keeps its first-seen time from its state row.
            let timestamp = now.sqlValue
            for chunk in added.chunks(of: JobRow.rowsPerStatement) {
                let values = SQLDialect.valueRows(chunk.count, columns: 2)
                let known = try connection.query("""
                    INSERT INTO job_state (job_id, first_seen) VALUES \(values)
                    ON CONFLICT(job_id) DO UPDATE SET first_seen = COALESCE(job_state.first_seen, excluded.first_seen)
                    RETURNING job_id, first_seen
                    """, chunk.flatMap { [SQLValue.text($0.job.id.description), timestamp] }, table: "job_state")
                var firstSeen: [String: Date] = [:]
                for row in known {
                    firstSeen[try row.string("job_id")] = try row.optionalDate("first_seen")
                }
                for entry in chunk {
                    let seen = firstSeen[entry.job.id.description] ?? now
                    writes.append((entry, seen))
                    current[entry.job.id] = StoredJob(job: entry.job, path: entry.path, contentHash: entry.contentHash, firstSeen: seen)
                }
            }
            try JobRow.upsert(writes, updatedAt: now, connection)
            for (id, old) in existing {
                try connection.execute("DELETE FROM jobs WHERE id = ?", [.text(id.description)])
                diff.removed.append(id)
                record("removed", id, old: old, new: nil)
            }
            entries.sort { ($0.jobID ?? "") < ($1.jobID ?? "") }
            try Self.appendAudit(entries, at: now, db: connection)
            // The life of each job added, changed or removed, where it differs from the stored one: a flip.
            var lives = (diff.added + diff.changed).compactMap { id in catalog.entries[id].map { (id, FlipRows.Life($0.job)) } }
            lives += diff.removed.map { ($0, FlipRows.Life.removed) }
            try FlipRows.lifecycle(lives, at: now, db: connection)
            diff.added.sort()
            diff.changed.sort()
            diff.moved.sort()
            diff.removed.sort()
            return (diff, current)
        }
    }

    /// Every job in the table, sorted by id, each definition read by the
    /// job-file decoder. A definition the decoder refuses is left out and
    /// reported (``corruptRows``).
    public func fetchJobs() async throws(StoreError) -> [StoredJob] {
        let corruptRows = corruptRows
        return try await reading { connection in
            try JobRow.all(connection).values.compactMap { row in corruptRows.reading { () throws(StoreError) in try row.stored() } }
                .sorted { $0.job.id < $1.job.id }
        }
    }
}
