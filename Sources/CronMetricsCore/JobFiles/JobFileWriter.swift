import Foundation
import Glibc

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
        let absolute = try writeTarget(relative)
        let text = renderer.render(job, header: relativePath == nil || !FileManager.default.fileExists(atPath: absolute))
        try AtomicFile.write(Array(text.utf8), to: absolute)
        return relative
    }

    /// Removes the job file at `relativePath`.
    public func remove(_ relativePath: String) throws(JobFileWriteError) {
        try AtomicFile.remove(try resolve(relativePath))
    }

    /// Where writing `relative` puts the bytes: its absolute path, or, when it
    /// is a symbolic link, the file the link points to (so the link stays a
    /// link), which must lie inside the tree.
    ///
    /// - Throws: ``JobFileWriteError/unsafePath(_:)`` as ``resolve(_:)``, and
    ///   ``JobFileWriteError/linkOutsideTree(path:target:)``.
    public func writeTarget(_ relative: String) throws(JobFileWriteError) -> String {
        let absolute = try resolve(relative)
        var info = stat()
        guard lstat(absolute, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return absolute }
        guard let target = Self.realPath(absolute) else {
            throw .io(path: absolute, operation: "resolve link", errno: errno)
        }
        let base = Self.realPath(root) ?? root
        guard target.hasPrefix(base + "/") else { throw .linkOutsideTree(path: relative, target: target) }
        return target
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
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
