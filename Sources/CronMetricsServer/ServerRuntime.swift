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
        let storedStates = try database.fetchStates()
        if case .failed = await reload(loadedStates: storedStates) {
            let lastGood = try database.fetchJobs()
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
    @discardableResult
    public func reload() async -> ReloadOutcome {
        await reload(loadedStates: [:])
    }

    private func reload(loadedStates: [JobID: JobState]) async -> ReloadOutcome {
        let time = now()
        do {
            let report = try await reconciler.reconcile()
            state.replaceJobs(Array(report.jobs.values), loadedStates: loadedStates, now: time)
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

    /// Closes the database.
    public func close() throws {
        try database.close()
    }
}
