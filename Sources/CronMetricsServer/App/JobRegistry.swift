import CronMetricsCore
import Foundation
import Logging

/// The server's jobs: the one place `jobs.d` is reloaded and edited.
///
/// Reloads run one at a time: a reconcile, the swap of the live state it
/// feeds, and an edit with the reload that applies it happen under one lock,
/// never interleaved with another. The actor's state (the job table as the
/// last good reload left it) is read by the API while a reload waits for
/// the store; it changes only under the lock.
public actor JobRegistry {
    private let root: String
    private let lock = AsyncLock()
    private let database: StateStore
    private let state: LiveState
    private let metrics: ServerMetrics
    private let reconciler: Reconciler
    private let logger: Logger
    /// `jobs.read_only`: every edit is refused (definitions change in git).
    public nonisolated let readOnly: Bool
    static let readOnlyMessage = "definitions are read-only on this server: change jobs.d in git"
    private let now: @Sendable () -> Date
    /// The job table as the last good reload left it (definitions, files, first-seen times).
    private var jobs: [JobID: StoredJob] = [:]

    /// The result of one reload.
    public enum ReloadOutcome: Sendable {
        case applied(CatalogDiff)
        case failed([String])
    }

    /// Loads the jobs: from `jobs.d` if it is valid, otherwise the last good set
    /// stored in the database. Removes temp files a crash left in the tree.
    ///
    /// - Throws: ``StoreError`` when the database cannot be read.
    init(root: String, database: StateStore, state: LiveState, metrics: ServerMetrics, channels: Set<String> = [],
         readOnly: Bool = false, logger: Logger, now: @escaping @Sendable () -> Date) async throws(StoreError) {
        self.root = root
        self.readOnly = readOnly
        self.database = database
        self.state = state
        self.metrics = metrics
        self.logger = logger
        self.now = now
        reconciler = Reconciler(root: root, database: database, channels: channels, now: now)
        for path in AtomicFile.removeLeftovers(under: root) {
            logger.warning("removed a temp file left by an interrupted write", metadata: ["file": .string(path)])
        }
        let storedStates = try await database.fetchStates()
        if case .failed = await reloadLocked(loadedStates: storedStates, audit: AuditSource(reload: .git(route: "start"))) {
            let lastGood = try await database.fetchJobs()
            jobs = Dictionary(uniqueKeysWithValues: lastGood.map { ($0.job.id, $0) })
            state.replaceJobs(lastGood, loadedStates: storedStates, now: now())
            logger.warning("serving the last good set of jobs from the database", metadata: ["jobs": "\(lastGood.count)"])
        }
    }

    /// Takes a new set of notification channels, if every job's `notify`
    /// names only channels in it.
    ///
    /// - Returns: the problems (each job file naming a channel that would be
    ///   gone); empty when the set was taken. Checked against the jobs as the
    ///   last good reload left them, so a refused set changes nothing at all.
    func setChannels(_ names: Set<String>) -> [String] {
        var problems: [String] = []
        for stored in jobs.values.sorted(by: { $0.path < $1.path }) {
            for name in stored.job.notify ?? [] where !names.contains(name) {
                problems.append("\(root)/\(stored.path): notify names channel '\(name)', which the new configuration does not define")
            }
        }
        if problems.isEmpty { reconciler.channels = names }
        return problems
    }

    /// Runs `body` holding the registry's lock: nothing else that reloads
    /// (jobs or settings) or edits runs in between. A reload of the
    /// configuration reads its file inside, so of two reloads the one that
    /// read the newer file is applied last.
    func exclusively<T: Sendable>(_ body: @Sendable (isolated JobRegistry) async -> T) async -> T {
        await lock.withLock { await body(self) }
    }

    /// Reads `jobs.d` again; applies it if it is valid, else keeps the current
    /// set. Every trigger uses it: start, SIGHUP, `POST /-/reload`, the watcher
    /// and each edit. The changes it finds are audited as `git`'s, under
    /// `route` (what triggered it) and the checkout's HEAD commit.
    @discardableResult
    public func reload(route: String = "reload", requestID: String? = nil) async -> ReloadOutcome {
        await lock.withLock { await reloadLocked(loadedStates: [:], audit: AuditSource(reload: .git(route: route, requestID: requestID))) }
    }

    /// Runs one change through the job editor, whose check is a reload: the
    /// file is written, reloaded, and put back if the tree is then invalid,
    /// all under the lock, so concurrent edits apply one after another.
    /// What the reload changes in the files the editor wrote is audited as
    /// `audit`'s (in the reload's transaction), anything else it finds as `git`'s.
    @discardableResult
    public func edit<T: Sendable>(_ audit: AuditContext? = nil,
                                  _ change: nonisolated(nonsending) (JobEditor) async throws(JobEditError) -> T) async throws(JobEditError) -> T {
        guard !readOnly else { throw .conflict(Self.readOnlyMessage) }
        return try await lock.withLock { () async throws(JobEditError) -> T in
            let editor = JobEditor(root: root) { () throws(JobEditError) in
                self.jobs.mapValues { CatalogEntry(job: $0.job, path: $0.path, contentHash: $0.contentHash) }
            } check: { written in
                let source = AuditSource(edit: audit, editedPaths: Set([written].compactMap { $0 }), reload: .git(route: "reload"))
                if case let .failed(errors) = await self.reloadLocked(loadedStates: [:], audit: source) { return errors }
                return nil
            }
            return try await change(editor)
        }
    }

    /// One job as the API shows it, with its current state.
    public func record(_ id: JobID) -> JobRecord? {
        jobs[id].map(record)
    }

    /// What `cronmetrics plan` compares a checkout with: every job's
    /// definition, status, open runs and deadline anchor, now.
    public func planBasis(channels: [String]) -> PlanBasis {
        let time = now()
        var basis = PlanBasis(generatedAt: time, channels: channels.sorted())
        basis.jobs = jobs.values.sorted { $0.job.id < $1.job.id }.map { stored in
            let live = state.job(stored.job.id, now: time)
            let (fields, fingerprint) = basis.basisFields(of: stored.job)
            return PlanBasis.BasisJob(id: stored.job.id.description, path: stored.path, fields: fields, keyFingerprint: fingerprint,
                                      status: live?.verdict?.status.rawValue ?? "retired", running: live?.state.openRuns.count ?? 0,
                                      deadlineAnchor: live?.verdict?.anchor)
        }
        return basis
    }

    /// The jobs that match `filter`, by id.
    public func records(_ filter: JobFilter) -> [JobRecord] {
        let time = now()
        return jobs.values.sorted { $0.job.id < $1.job.id }.compactMap { stored in
            let live = state.job(stored.job.id, now: time)
            guard filter.matches(stored.job, verdict: live?.verdict?.status) else { return nil }
            return record(stored)
        }
    }

    private func record(_ stored: StoredJob) -> JobRecord {
        let time = now()
        let live = state.job(stored.job.id, now: time)
        return JobRecord(job: stored.job, path: stored.path, state: live.map {
            JobStateRecord(firstSeen: $0.firstSeen, state: $0.state, verdict: $0.verdict,
                           nextWindow: stored.job.nextMaintenanceWindow(after: time)?.start, blockedBy: state.blockedBy(stored.job, now: time))
        })
    }

    /// A reload; the caller holds the lock.
    private func reloadLocked(loadedStates: [JobID: JobState], audit: AuditSource) async -> ReloadOutcome {
        let time = now()
        do {
            let report = try await reconciler.reconcile(audit: audit)
            let previous = metrics.lastReload
            if report.diff.isEmpty, previous.successful, previous.configHash == report.catalog.hash {
                // Nothing changed (a poll, a touch): nothing to re-render or announce.
                logger.debug("jobs unchanged", metadata: ["files": "\(report.fileCount)", "parsed": "\(report.parsedCount)"])
                return .applied(report.diff)
            }
            jobs = report.jobs
            if !report.diff.isEmpty || previous.configHash.isEmpty {
                let states = await returning(report.diff.added, loaded: loadedStates)
                state.replaceJobs(Array(report.jobs.values), loadedStates: states, now: time)
            }
            metrics.reloaded(at: time, hash: report.catalog.hash)
            // The reload's temporaries (every file parsed, the old and new
            // tables) are freed by now but kept by the allocator; give the free
            // pages back. Measured at 100,000 jobs: see performance.md.
            Allocator.releaseFreeMemory()
            for warning in report.warnings {
                logger.warning("\(warning)")
            }
            logger.info("jobs reloaded", metadata: [
                "jobs": "\(report.catalog.count)", "files": "\(report.fileCount)", "parsed": "\(report.parsedCount)",
                "added": "\(report.diff.added.count)", "changed": "\(report.diff.changed.count)",
                "moved": "\(report.diff.moved.count)", "removed": "\(report.diff.removed.count)",
            ])
            return .applied(report.diff)
        } catch {
            let errors: [String]
            switch error {
            case let .invalid(diagnostics): errors = diagnostics.map(\.description)
            default: errors = [error.description]
            }
            for message in errors {
                logger.error("reload refused, keeping the last good set: \(message)")
            }
            metrics.reloadFailed(at: time, errors: errors)
            return .failed(errors)
        }
    }

    /// The stored state of added jobs that were known before (a branch switch,
    /// a revert): they resume it.
    private func returning(_ added: [JobID], loaded: [JobID: JobState]) async -> [JobID: JobState] {
        var states = loaded
        let missing = added.filter { states[$0] == nil }
        guard !missing.isEmpty else { return states }
        do {
            states.merge(try await database.fetchStates(ids: missing)) { old, _ in old }
        } catch {
            logger.error("could not read the stored state of re-added jobs", metadata: ["error": .string(error.description)])
        }
        return states
    }
}
