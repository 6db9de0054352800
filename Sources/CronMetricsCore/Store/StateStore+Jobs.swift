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
    /// - Returns: what changed, and the table as it now is.
    public func apply(_ catalog: JobCatalog, previous: [JobID: StoredJob]? = nil, now: Date) async throws(StoreError) -> (CatalogDiff, [JobID: StoredJob]) {
        try await writing { connection in
            var diff = CatalogDiff()
            var existing = try previous.map { $0.mapValues(JobRow.init(stored:)) } ?? JobRow.all(connection)
            var current: [JobID: StoredJob] = [:]
            current.reserveCapacity(catalog.count)
            let timestamp = now.timeIntervalSince1970
            for (id, entry) in catalog.entries {
                var firstSeen = now
                if let old = existing.removeValue(forKey: id) {
                    firstSeen = old.firstSeen
                    let sameJob = old.defines(entry.job)
                    if !sameJob {
                        diff.changed.append(id)
                    } else if old.path != entry.path {
                        diff.moved.append(id)
                    }
                    if !sameJob || old.path != entry.path || old.contentHash != entry.contentHash {
                        try JobRow.upsert(entry, firstSeen: firstSeen, updatedAt: now, connection)
                    }
                } else {
                    diff.added.append(id)
                    // Known before (removed, now back): its first-seen time stays.
                    let known = try connection.queryOne("""
                        INSERT INTO job_state (job_id, first_seen) VALUES (?, ?)
                        ON CONFLICT(job_id) DO UPDATE SET first_seen = COALESCE(job_state.first_seen, excluded.first_seen)
                        RETURNING first_seen
                        """, [.text(id.description), .real(timestamp)], table: "job_state")?.optionalDate("first_seen") ?? now
                    firstSeen = known
                    try JobRow.upsert(entry, firstSeen: known, updatedAt: now, connection)
                }
                current[id] = StoredJob(job: entry.job, path: entry.path, contentHash: entry.contentHash, firstSeen: firstSeen)
            }
            for id in existing.keys {
                try connection.execute("DELETE FROM jobs WHERE id = ?", [.text(id.description)])
                diff.removed.append(id)
            }
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
