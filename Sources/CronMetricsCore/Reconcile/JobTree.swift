#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The files of one `jobs.d` tree: every `*.yaml` and `*.yml` at any depth,
/// skipping dotfiles, dot-folders (`.git`) and editor leftovers (`~`, `.swp`).
public struct JobTree: Sendable {
    /// The root folder as given (used to build the paths shown to people).
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// Whether the walk reads a file of this name.
    public static func isJobFileName(_ name: String) -> Bool {
        guard !name.hasPrefix("."), !name.hasSuffix("~") else { return false }
        return name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    /// The path shown in diagnostics for a file of the tree, e.g. `jobs.d/infra/backup@db1.yaml`.
    public func displayPath(_ relative: String) -> String {
        var base = root
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        return base == "." ? relative : "\(base)/\(relative)"
    }

    public func absolutePath(_ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// Lists the tree's job files, sorted by path.
    /// - Throws: ``JobTreeError`` when the root is missing or a folder cannot be read.
    public func scan() throws(JobTreeError) -> [FileStamp] {
        var info = stat()
        guard stat(root, &info) == 0 else {
            if errno == ENOENT { throw .missingRoot(root) }
            throw .unreadable(path: root, errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(root) }
        var stamps: [FileStamp] = []
        try walk(relative: "", into: &stamps)
        stamps.sort { $0.path < $1.path }
        return stamps
    }

    private func walk(relative: String, into stamps: inout [FileStamp]) throws(JobTreeError) {
        let folder = relative.isEmpty ? root : absolutePath(relative)
        guard let dir = opendir(folder) else { throw .unreadable(path: folder, errno: errno) }
        defer { closedir(dir) }
        var subfolders: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            let child = relative.isEmpty ? name : "\(relative)/\(name)"
            let childPath = absolutePath(child)
            var info = stat()
            // stat follows symbolic links, so a linked job file is read; a linked
            // folder is not entered (that could loop).
            guard stat(childPath, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                var linkInfo = stat()
                if lstat(childPath, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK { continue }
                subfolders.append(child)
            case S_IFREG where Self.isJobFileName(name):
                stamps.append(FileStamp(
                    path: child,
                    size: Int64(info.st_size),
                    modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                    inode: UInt64(info.st_ino),
                    device: UInt64(info.st_dev)))
            default:
                continue
            }
        }
        for subfolder in subfolders {
            try walk(relative: subfolder, into: &stamps)
        }
    }
}
