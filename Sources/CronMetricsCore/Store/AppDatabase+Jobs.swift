import Foundation
import GRDB

extension AppDatabase {
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
    public func apply(_ catalog: JobCatalog, previous: [JobID: StoredJob]? = nil, now: Date) throws(StoreError) -> (CatalogDiff, [JobID: StoredJob]) {
        do {
            return try dbWriter.write { db in
                var diff = CatalogDiff()
                var existing = try previous ?? Dictionary(uniqueKeysWithValues: Self.fetchStoredJobs(db).map { ($0.job.id, $0) })
                var current: [JobID: StoredJob] = [:]
                current.reserveCapacity(catalog.count)
                let timestamp = now.timeIntervalSince1970
                for (id, entry) in catalog.entries {
                    var firstSeen = now
                    if let old = existing.removeValue(forKey: id) {
                        firstSeen = old.firstSeen
                        if old.job != entry.job {
                            diff.changed.append(id)
                        } else if old.path != entry.path {
                            diff.moved.append(id)
                        }
                        if old.job != entry.job || old.path != entry.path || old.contentHash != entry.contentHash {
                            try Self.upsert(entry, firstSeen: firstSeen.timeIntervalSince1970, updatedAt: timestamp, db)
                        }
                    } else {
                        diff.added.append(id)
                        // Known before (removed, now back): its first-seen time stays.
                        let known = try Double.fetchOne(try db.cachedStatement(sql: """
                            INSERT INTO job_state (job_id, first_seen) VALUES (?, ?)
                            ON CONFLICT(job_id) DO UPDATE SET first_seen = COALESCE(first_seen, excluded.first_seen)
                            RETURNING first_seen
                            """), arguments: [id.description, timestamp]) ?? timestamp
                        firstSeen = Date(timeIntervalSince1970: known)
                        try Self.upsert(entry, firstSeen: known, updatedAt: timestamp, db)
                    }
                    current[id] = StoredJob(job: entry.job, path: entry.path, contentHash: entry.contentHash, firstSeen: firstSeen)
                }
                for id in existing.keys {
                    try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id.description])
                    diff.removed.append(id)
                }
                diff.added.sort()
                diff.changed.sort()
                diff.moved.sort()
                diff.removed.sort()
                return (diff, current)
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Every job in the table, sorted by id.
    public func fetchJobs() throws(StoreError) -> [StoredJob] {
        do {
            return try dbWriter.read { db in try Self.fetchStoredJobs(db) }.sorted { $0.job.id < $1.job.id }
        } catch {
            throw .query("\(error)")
        }
    }

    static func fetchStoredJobs(_ db: Database) throws -> [StoredJob] {
        try JobRow.fetchAll(db).map(\.stored)
    }

    private static func upsert(_ entry: CatalogEntry, firstSeen: Double, updatedAt: Double, _ db: Database) throws {
        try db.cachedStatement(sql: JobRow.upsertSQL).execute(arguments: try JobRow.arguments(entry, firstSeen: firstSeen, updatedAt: updatedAt))
    }
}
