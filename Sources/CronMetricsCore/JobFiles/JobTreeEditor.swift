import Foundation

/// Why an edit of a `jobs.d` tree was refused; the tree is left as it was.
public enum JobEditError: Error, CustomStringConvertible {
    case tree(JobTreeError)
    /// The tree has errors (before or because of the edit).
    case invalidTree([JobFileDiagnostic])
    case notFound(JobID)
    case exists(JobID)
    case write(JobFileWriteError)

    public var description: String {
        switch self {
        case let .tree(error): return error.description
        case let .invalidTree(errors):
            return "the jobs directory would be invalid; nothing was changed:\n" + errors.map(\.description).joined(separator: "\n")
        case let .notFound(id): return "job \(id) not found"
        case let .exists(id): return "job \(id) already exists"
        case let .write(error): return error.description
        }
    }
}

/// Edits a `jobs.d` tree in place, as the CLI does in a git checkout: each
/// change writes one file atomically, then the whole tree is validated, and a
/// change that leaves it invalid is undone.
public struct JobTreeEditor: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The tree's jobs, or the reason it cannot be read.
    public func load() throws(JobEditError) -> JobCatalog {
        var loader = JobTreeLoader(root: root)
        let load: TreeLoad
        do {
            load = try loader.load()
        } catch {
            throw .tree(error)
        }
        guard let catalog = load.catalog else { throw .invalidTree(load.errors) }
        return catalog
    }

    /// Writes a new job to `<job_name>@<host>.yaml`.
    /// - Returns: the new file's path relative to the tree.
    @discardableResult
    public func create(_ job: Job) throws(JobEditError) -> String {
        let catalog = try load()
        guard catalog.entries[job.id] == nil else { throw .exists(job.id) }
        return try write(job, relativePath: nil)
    }

    /// Changes an existing job in its own file.
    /// - Returns: the job as written and its file.
    @discardableResult
    public func update(_ id: JobID, _ change: (inout Job) throws(JobEditError) -> Void) throws(JobEditError) -> CatalogEntry {
        guard let entry = try load().entries[id] else { throw .notFound(id) }
        var job = entry.job
        try change(&job)
        let path = try write(job, relativePath: entry.path)
        return CatalogEntry(job: job, path: path, contentHash: "")
    }

    /// Removes a job's file.
    /// - Returns: the removed file's path relative to the tree.
    @discardableResult
    public func delete(_ id: JobID) throws(JobEditError) -> String {
        guard let entry = try load().entries[id] else { throw .notFound(id) }
        do {
            try JobFileWriter(root: root).remove(entry.path)
        } catch {
            throw .write(error)
        }
        return entry.path
    }

    private func write(_ job: Job, relativePath: String?) throws(JobEditError) -> String {
        let writer = JobFileWriter(root: root)
        let target = relativePath ?? job.id.fileName
        let absolute: String
        do {
            absolute = try writer.writeTarget(target)
        } catch {
            throw .write(error)
        }
        let previous = FileManager.default.contents(atPath: absolute)
        if relativePath == nil, previous != nil {
            throw .write(.unsafePath("\(target) exists and holds another job"))
        }
        do {
            try writer.write(job, to: relativePath)
        } catch {
            throw .write(error)
        }
        do {
            _ = try load()
        } catch {
            if let previous {
                try? AtomicFile.write(Array(previous), to: absolute)
            } else {
                try? AtomicFile.remove(absolute)
            }
            throw error
        }
        return target
    }
}
