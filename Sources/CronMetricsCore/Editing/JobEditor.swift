import Foundation

/// The one way job definitions are changed: the CLI in a checkout, the API,
/// the dashboard and the importer all come through here. Each change writes
/// one file atomically, then checks the tree, and a change the check refuses
/// is undone (the old bytes put back, the check run again).
///
/// Its owner says what the jobs are and how to check: the CLI reads and
/// validates the tree (``validatingTree(root:)``); the server answers from its
/// last reload and checks by reloading, so a write and the reload that applies
/// it are one step. Its methods run on their caller's executor
/// (`nonisolated(nonsending)`): the server's registry calls them holding its
/// lock, and the check it passes reloads on the registry itself.
public struct JobEditor {
    public let root: String
    private let currentJobs: () throws(JobEditError) -> [JobID: CatalogEntry]
    private let check: (_ written: String?) async -> [String]?

    /// - Parameters:
    ///   - root: the `jobs.d` folder.
    ///   - currentJobs: the tree's jobs now, with their files.
    ///   - check: after a write: nil when the tree is good, else every error.
    ///     Given the file written or removed (relative to `root`), or nil for
    ///     the check after a refused write was undone.
    public init(root: String, currentJobs: @escaping () throws(JobEditError) -> [JobID: CatalogEntry],
                check: @escaping (_ written: String?) async -> [String]?) {
        self.root = root
        self.currentJobs = currentJobs
        self.check = check
    }

    /// An editor for a checkout: the tree is read and validated on its own.
    public static func validatingTree(root: String, channels: Set<String>? = nil) -> JobEditor {
        JobEditor(root: root) { () throws(JobEditError) in
            try TreeCheck(root: root, channels: channels).catalog().entries
        } check: { _ in
            do throws(JobEditError) {
                _ = try TreeCheck(root: root, channels: channels).catalog()
                return nil
            } catch {
                if case let .invalidTree(errors) = error { return errors }
                return [error.description]
            }
        }
    }

    /// Every job, by id.
    public func jobs() throws(JobEditError) -> [JobID: CatalogEntry] {
        try currentJobs()
    }

    /// One job and its file.
    public func entry(_ id: JobID) throws(JobEditError) -> CatalogEntry {
        guard let entry = try currentJobs()[id] else { throw .notFound(id) }
        return entry
    }

    /// Writes a new job to `<job_name>@<host>.yaml` at the root.
    @discardableResult
    public nonisolated(nonsending) func create(_ job: Job) async throws(JobEditError) -> CatalogEntry {
        guard try currentJobs()[job.id] == nil else { throw .conflict("job \(job.id) already exists") }
        let path = try await write(job, existing: nil)
        return CatalogEntry(job: job, path: path, contentHash: "")
    }

    /// Derives a job's new definition from its current one and writes it to
    /// the job's own file, wherever it lives.
    @discardableResult
    public nonisolated(nonsending) func update(_ id: JobID, _ change: (Job) throws(JobEditError) -> Job) async throws(JobEditError) -> CatalogEntry {
        let current = try entry(id)
        let job = try change(current.job)
        guard job.id == id else {
            throw .invalidField(field: job.jobName != id.jobName ? "job_name" : "host",
                                message: "job_name and host cannot change; create the new job and delete this one")
        }
        let path = try await write(job, existing: current.path)
        return CatalogEntry(job: job, path: path, contentHash: "")
    }

    /// Removes a job's file.
    /// - Returns: the job as it was.
    @discardableResult
    public nonisolated(nonsending) func delete(_ id: JobID) async throws(JobEditError) -> CatalogEntry {
        let current = try entry(id)
        let writer = JobFileWriter(root: root)
        let path: String
        do {
            path = try writer.resolve(current.path)
        } catch {
            throw .unavailable(error.description)
        }
        let previous = FileManager.default.contents(atPath: path)
        do {
            try writer.remove(current.path)
        } catch {
            throw .unavailable(error.description)
        }
        try await settle(path, relative: current.path, previous: previous)
        return current
    }

    private nonisolated(nonsending) func write(_ job: Job, existing: String?) async throws(JobEditError) -> String {
        let writer = JobFileWriter(root: root)
        let relative = existing ?? job.id.fileName
        let target: String
        do {
            target = try writer.writeTarget(relative)
        } catch {
            throw .unavailable(error.description)
        }
        let previous = FileManager.default.contents(atPath: target)
        if existing == nil, previous != nil {
            throw .conflict("a file \(relative) already exists in the jobs directory")
        }
        do {
            try writer.write(job, to: existing)
        } catch {
            throw .unavailable(error.description)
        }
        try await settle(target, relative: relative, previous: previous)
        return relative
    }

    /// Checks the tree after a write to `path`; if the check refuses it, puts
    /// `previous` back (or removes a new file) and checks again.
    private nonisolated(nonsending) func settle(_ path: String, relative: String, previous: Data?) async throws(JobEditError) {
        guard let errors = await check(relative) else { return }
        do {
            if let previous {
                try AtomicFile.write(Array(previous), to: path)
            } else {
                try AtomicFile.remove(path)
            }
        } catch {
            throw .unavailable("the change was refused and could not be undone: \(error); refused because:\n"
                + errors.joined(separator: "\n"))
        }
        _ = await check(nil)
        throw .invalidTree(errors)
    }
}

/// Reads and validates a whole tree, for editors without a server.
private struct TreeCheck {
    let root: String
    let channels: Set<String>?

    func catalog() throws(JobEditError) -> JobCatalog {
        var loader = JobTreeLoader(root: root, channels: channels)
        let load: TreeLoad
        do {
            load = try loader.load()
        } catch {
            throw .unavailable(error.description)
        }
        guard let catalog = load.catalog else { throw .invalidTree(load.errors.map(\.description)) }
        return catalog
    }
}
