import Foundation

/// The audit trail (SPEC §17): a row for each job a write changed, written in
/// the same transaction as the change, so a refused or failed write leaves
/// none and a committed one always has its row.
extension StateStore {
    static let auditColumns = "id, at, actor, role, route, action, job_id, path, hash_before, hash_after, request_id, commit_sha, detail"

    /// Appends `entries` inside the caller's transaction.
    ///
    /// A change found in the tree (actor `git`) whose job's newest row of a
    /// job change already records it (the same action and file hash) is not
    /// written again: replicas on one PostgreSQL each reload the same
    /// checkout, and the first to apply it has its row. (Two replicas applying
    /// at once queue on the job rows they both upsert, so the second reads
    /// the first's rows: each statement of a `READ COMMITTED` transaction sees
    /// what committed before it began.)
    static func appendAudit(_ entries: [AuditEntry], at time: Date, db: any SQLConnection) throws {
        var entries = entries
        let found = entries.filter { $0.context.role == "git" }.compactMap(\.jobID)
        if !found.isEmpty, try db.queryOne("SELECT id FROM audit LIMIT 1", table: "audit") != nil {
            var newest: [String: (action: String, hash: String?)] = [:]
            for chunk in found.chunks(of: 500) {
                for row in try db.query("""
                    SELECT job_id, action, hash_before, hash_after FROM audit
                    WHERE id IN (SELECT MAX(id) FROM audit WHERE job_id IN (\(SQLDialect.list(chunk.count)))
                        AND action IN ('added', 'changed', 'moved', 'removed') GROUP BY job_id)
                    """, chunk.map(SQLValue.text), table: "audit") {
                    let action = try row.string("action")
                    newest[try row.string("job_id")] = (action, try action == "removed" ? row.optionalString("hash_before") : row.optionalString("hash_after"))
                }
            }
            entries.removeAll { entry in
                guard entry.context.role == "git", let id = entry.jobID, let last = newest[id] else { return false }
                return last.action == entry.action && last.hash == (entry.action == "removed" ? entry.hashBefore : entry.hashAfter)
            }
        }
        for chunk in entries.chunks(of: 200) {
            try db.execute("""
                INSERT INTO audit (at, actor, role, route, action, job_id, path, hash_before, hash_after, request_id, commit_sha, detail)
                VALUES \(SQLDialect.valueRows(chunk.count, columns: 12))
                """, chunk.flatMap { entry -> [SQLValue] in
                    let context = entry.context
                    return [time.sqlValue, .text(context.actor), .text(context.role), .text(context.route), .text(entry.action),
                            SQLValue(entry.jobID), SQLValue(entry.path), SQLValue(entry.hashBefore), SQLValue(entry.hashAfter),
                            SQLValue(context.requestID), SQLValue(context.commit), SQLValue(entry.detail)]
                })
        }
    }

    /// A page of audit rows, newest first.
    public func audit(_ filter: AuditFilter, limit: Int, before: Int64? = nil) async throws(StoreError) -> AuditPage {
        var conditions = ["1 = 1"]
        var arguments: [SQLValue] = []
        if let job = filter.job { conditions.append("job_id = ?"); arguments.append(.text(job)) }
        if let actor = filter.actor { conditions.append("actor = ?"); arguments.append(.text(actor)) }
        if let before { conditions.append("id < ?"); arguments.append(.integer(before)) }
        let (clause, values) = (conditions.joined(separator: " AND "), arguments)
        return try await reading { db in
            let rows = try db.query("""
                SELECT \(Self.auditColumns) FROM audit WHERE \(clause) ORDER BY id DESC LIMIT ?
                """, values + [.integer(Int64(limit + 1))], table: "audit")
            let page = try rows.prefix(limit).map { row in
                AuditRecord(id: try row.int("id"), at: try row.date("at"), actor: try row.string("actor"), role: try row.string("role"),
                            route: try row.string("route"), action: try row.string("action"), jobId: try row.optionalString("job_id"),
                            path: try row.optionalString("path"), hashBefore: try row.optionalString("hash_before"),
                            hashAfter: try row.optionalString("hash_after"), requestId: try row.optionalString("request_id"),
                            commit: try row.optionalString("commit_sha"), detail: try row.optionalString("detail"))
            }
            return AuditPage(entries: page, nextBefore: rows.count > limit ? page.last?.id : nil)
        }
    }

    /// Deletes audit rows written before `cutoff` (`retention.audit_days`),
    /// in small transactions.
    @discardableResult
    public func purgeAudit(before cutoff: Date, batchSize: Int = 500) async throws(StoreError) -> Int {
        try await deleteInBatches(batchSize, """
            DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? LIMIT ?)
            """, [cutoff.sqlValue])
    }
}
