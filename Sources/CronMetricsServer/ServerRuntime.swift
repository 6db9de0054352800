import CronMetricsCore
import Foundation
import Logging

/// The pieces the routes and services share: database, live state, reloads.
///
/// An actor so that reloads run one at a time: a reconcile and the swap of the
/// in-memory state it feeds happen together, never interleaved with another.
public actor ServerRuntime {
    public nonisolated let configuration: ServerConfiguration
    let database: AppDatabase
    nonisolated let state: LiveState
    nonisolated let metrics = ServerMetrics()
    nonisolated let writer: ResultWriter
    nonisolated let now: @Sendable () -> Date
    private let reconciler: Reconciler
    private let logger: Logger
    /// The job table as the last good reload left it (definitions, files, first-seen times).
    private(set) var jobs: [JobID: StoredJob] = [:]

    /// Opens the database and loads the jobs: from `jobs.d` if it is valid,
    /// otherwise the last good set stored in the database.
    ///
    /// - Throws: ``StoreError`` when the database cannot be opened.
    public init(configuration: ServerConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) async throws {
        self.configuration = configuration
        self.logger = logger
        self.now = now
        let database = try AppDatabase(path: configuration.databasePath)
        self.database = database
        let state = LiveState()
        self.state = state
        self.writer = ResultWriter(database: database, state: state, now: now)
        self.reconciler = Reconciler(root: configuration.jobsDirectory, database: database, now: now)
        // Temp files of writes a crash interrupted (they are dot names, never
        // read as jobs, but should not pile up).
        for path in AtomicFile.removeLeftovers(under: configuration.jobsDirectory) {
            logger.warning("removed a temp file left by an interrupted write", metadata: ["file": .string(path)])
        }
        let storedStates = try database.fetchStates()
        if case .failed = reload(loadedStates: storedStates) {
            let lastGood = try database.fetchJobs()
            jobs = Dictionary(uniqueKeysWithValues: lastGood.map { ($0.job.id, $0) })
            state.replaceJobs(lastGood, loadedStates: storedStates, now: now())
            logger.warning("serving the last good set of jobs from the database", metadata: ["jobs": "\(lastGood.count)"])
        }
    }

    /// The result of one reload.
    public enum ReloadOutcome: Sendable {
        case applied(CatalogDiff)
        case failed([String])
    }

    /// Reads `jobs.d` again; applies it if it is valid, else keeps the current set.
    /// Every trigger uses it: start, SIGHUP, `POST /-/reload`, the file watcher
    /// and each API write.
    @discardableResult
    public func reload() -> ReloadOutcome {
        reload(loadedStates: [:])
    }

    private func reload(loadedStates: [JobID: JobState]) -> ReloadOutcome {
        let time = now()
        do {
            let report = try reconciler.reconcile()
            let previous = metrics.lastReload
            if report.diff.isEmpty, previous.successful, previous.configHash == report.catalog.hash {
                // Nothing changed (a poll, a touch): nothing to re-render or announce.
                logger.debug("jobs unchanged", metadata: ["files": "\(report.fileCount)", "parsed": "\(report.parsedCount)"])
                return .applied(report.diff)
            }
            jobs = report.jobs
            if !report.diff.isEmpty || previous.configHash.isEmpty {
                // A job that comes back (a branch switch, a revert) resumes its stored state.
                var states = loadedStates
                let returning = report.diff.added.filter { states[$0] == nil }
                if !returning.isEmpty {
                    do {
                        states.merge(try database.fetchStates(ids: returning)) { old, _ in old }
                    } catch {
                        logger.error("could not read the stored state of re-added jobs", metadata: ["error": .string(error.description)])
                    }
                }
                state.replaceJobs(Array(report.jobs.values), loadedStates: states, now: time)
            }
            metrics.reloaded(at: time, hash: report.catalog.hash)
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

    /// Why a write to `jobs.d` was refused; nothing is left changed on disk.
    enum WriteError: Error {
        case notFound(JobID)
        case conflict(String)
        case invalid([String])
        case io(String)
    }

    /// Writes `job` to its file (the existing one, else `<id>.yaml`), reloads, and
    /// if the tree is then invalid puts the old file back and reports why. File
    /// first, then the same reload as SIGHUP: one path from file to state.
    ///
    /// - Parameter mustBeNew: refuse (409) when the id or its file already exists.
    /// - Returns: the job as stored after the reload.
    func write(_ job: Job, mustBeNew: Bool) throws(WriteError) -> StoredJob {
        let id = job.id
        let existing = jobs[id]
        if mustBeNew, existing != nil {
            throw .conflict("job \(id) already exists")
        }
        if !mustBeNew, existing == nil {
            throw .notFound(id)
        }
        let writer = JobFileWriter(root: configuration.jobsDirectory)
        let relative = existing?.path ?? id.fileName
        let absolute: String
        do {
            absolute = try writer.writeTarget(relative)
        } catch {
            throw .io(error.description)
        }
        let previous = FileManager.default.contents(atPath: absolute)
        if mustBeNew, previous != nil {
            throw .conflict("a file \(relative) already exists in the jobs directory")
        }
        do {
            try writer.write(job, to: existing == nil ? nil : relative)
        } catch {
            throw .io(error.description)
        }
        try applyOrRollBack(absolute: absolute, previous: previous)
        guard let stored = jobs[id] else { throw .io("job \(id) is missing after reload") }
        return stored
    }

    /// Reads a job, lets `change` derive its new definition, and writes it, all
    /// without suspending: concurrent edits of one job apply one after another,
    /// each to the result of the previous one.
    func edit(_ id: JobID, _ change: (Job) throws(APIError) -> Job) throws(APIError) -> StoredJob {
        guard let current = jobs[id] else { throw APIError(.notFound, "no job \(id)") }
        let job = try change(current.job)
        do {
            return try write(job, mustBeNew: false)
        } catch {
            throw JobController.apiError(error)
        }
    }

    /// Removes a job's file and reloads.
    func delete(_ id: JobID) throws(WriteError) {
        guard let existing = jobs[id] else { throw .notFound(id) }
        let writer = JobFileWriter(root: configuration.jobsDirectory)
        let absolute: String
        do {
            absolute = try writer.resolve(existing.path)
        } catch {
            throw .io(error.description)
        }
        let previous = FileManager.default.contents(atPath: absolute)
        do {
            try writer.remove(existing.path)
        } catch {
            throw .io(error.description)
        }
        try applyOrRollBack(absolute: absolute, previous: previous)
    }

    private func applyOrRollBack(absolute: String, previous: Data?) throws(WriteError) {
        guard case let .failed(errors) = reload() else { return }
        do {
            if let previous {
                try AtomicFile.write(Array(previous), to: absolute)
            } else {
                try AtomicFile.remove(absolute)
            }
        } catch {
            logger.error("could not roll back a refused write", metadata: ["file": .string(absolute), "error": .string(error.description)])
        }
        reload()
        throw .invalid(errors)
    }

    /// Closes the database.
    public func close() throws {
        try database.close()
    }
}
