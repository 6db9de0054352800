import Foundation

/// Brings the database's job table in line with the `jobs.d` tree: parse what
/// changed, validate everything, and apply the diff in one transaction, or
/// apply nothing at all.
///
/// Not thread-safe by design: its owner runs reloads one at a time (the
/// server's registry holds its lock across a reconcile, so a write to the
/// tree and the reload that follows can never interleave with another). It
/// runs on its caller's executor (`nonisolated(nonsending)`).
public final class Reconciler {
    private var loader: JobTreeLoader
    private let database: StateStore
    private let now: @Sendable () -> Date
    /// The job table as the last successful reconcile left it; nil until then.
    private var applied: [JobID: StoredJob]?
    /// The catalog hash of the last successful apply.
    private var appliedHash: String?
    private let root: String

    /// - Parameters:
    ///   - root: the `jobs.d` folder.
    ///   - database: where the job table lives.
    ///   - now: the clock that stamps first-seen times.
    /// The configured channel names that job files may name (nil: unchecked).
    public var channels: Set<String>? {
        get { loader.channels }
        set { loader.channels = newValue }
    }

    public init(root: String, database: StateStore, channels: Set<String>? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.loader = JobTreeLoader(root: root, channels: channels)
        self.root = root
        self.database = database
        self.now = now
    }

    /// Reads the tree and, if every file is valid, applies it.
    /// - Parameter audit: whom changes are credited to (the reload's own
    ///   context gets the checkout's HEAD commit); nil writes no audit rows.
    /// - Throws: ``ReconcileError``; the job table is unchanged when it throws.
    public nonisolated(nonsending) func reconcile(audit: AuditSource? = nil) async throws(ReconcileError) -> ReconcileReport {
        let load: TreeLoad
        do {
            load = try loader.load()
        } catch {
            throw .tree(error)
        }
        guard let catalog = load.catalog else {
            throw .invalid(load.errors)
        }
        var diff = CatalogDiff()
        // The same files as last time (a poll, a touch): the table already holds them.
        if applied == nil || catalog.hash != appliedHash {
            do {
                var audit = audit
                audit?.reload.commit = GitHead.commit(containing: root)
                (diff, applied) = try await database.apply(catalog, previous: applied, now: now(), audit: audit)
                appliedHash = catalog.hash
            } catch {
                // The table may or may not hold this attempt: read it again next time.
                applied = nil
                appliedHash = nil
                throw .store(error)
            }
        }
        return ReconcileReport(catalog: catalog, jobs: applied ?? [:], diff: diff, warnings: load.warnings,
                               fileCount: load.fileCount, parsedCount: load.parsedCount)
    }
}
