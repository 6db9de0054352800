import Foundation

/// Writes job files into one `jobs.d` tree, atomically, and never outside it.
public struct JobFileWriter: Sendable {
    /// The tree's root folder.
    public let root: String
    let renderer = JobFileRenderer()

    public init(root: String) {
        self.root = root
    }

    /// Writes `job` to `relativePath` (an existing file, updated in place), or to
    /// `<job_name>@<host>.yaml` at the root when `relativePath` is nil.
    ///
    /// - Returns: the relative path written.
    /// - Throws: ``JobFileWriteError``; nothing is changed on disk when it throws.
    @discardableResult
    public func write(_ job: Job, to relativePath: String? = nil) throws(JobFileWriteError) -> String {
        let relative = relativePath ?? job.id.fileName
        let absolute = try resolve(relative)
        let text = renderer.render(job, header: relativePath == nil || !FileManager.default.fileExists(atPath: absolute))
        try AtomicFile.write(Array(text.utf8), to: absolute)
        return relative
    }

    /// Removes the job file at `relativePath`.
    public func remove(_ relativePath: String) throws(JobFileWriteError) {
        try AtomicFile.remove(try resolve(relativePath))
    }

    /// The absolute path of `relative` inside the tree.
    ///
    /// - Throws: ``JobFileWriteError/unsafePath(_:)`` for an absolute path, any
    ///   `.`/`..`/empty/hidden component, or a name the tree walk would not read.
    public func resolve(_ relative: String) throws(JobFileWriteError) -> String {
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.hasPrefix("/"), !components.isEmpty,
              components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\0") }),
              let last = components.last, JobTree.isJobFileName(String(last))
        else { throw .unsafePath(relative) }
        return (root as NSString).appendingPathComponent(relative)
    }
}
