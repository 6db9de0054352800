import Glibc
import Foundation

/// Writes a file so that readers see either the old bytes or the new ones,
/// never a half-written file, and so that the new bytes survive a crash once
/// ``write(_:to:)`` returns: temp file in the same folder, fsync, rename, fsync
/// of the folder. An existing file keeps its permission bits.
public enum AtomicFile {
    /// Temp files are `.cronmetrics-<16 hex>.tmp`: a dot name, which the tree
    /// walk and the watcher ignore, and a fixed length, so a temp file fits the
    /// 255-byte name limit whatever the target's name.
    static let tempPrefix = ".cronmetrics-"
    static let tempSuffix = ".tmp"

    /// - Parameter mode: permission bits for a new file; an existing file keeps its own.
    /// - Throws: ``JobFileWriteError/io(path:operation:errno:)`` when any step fails;
    ///   the temp file is removed and the target is left as it was.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(JobFileWriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        var generator = SystemRandomNumberGenerator()
        let suffix = Hex.encode((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let temp = "\(directory.isEmpty ? "." : directory)/\(tempPrefix)\(suffix)\(tempSuffix)"
        var existing = stat()
        let permissions = stat(path, &existing) == 0 ? existing.st_mode & 0o7777 : mode
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: temp, operation: "create", errno: errno) }
        var failure: JobFileWriteError?
        let error = FileDescriptor.writeAll(bytes, to: fd)
        if error != 0 { failure = .io(path: temp, operation: "write", errno: error) }
        // fchmod rather than the open mode: the umask would narrow that one.
        if failure == nil, fchmod(fd, permissions) != 0 { failure = .io(path: temp, operation: "chmod", errno: errno) }
        if failure == nil, fsync(fd) != 0 { failure = .io(path: temp, operation: "fsync", errno: errno) }
        if close(fd) != 0, failure == nil { failure = .io(path: temp, operation: "close", errno: errno) }
        if failure == nil, rename(temp, path) != 0 { failure = .io(path: path, operation: "rename", errno: errno) }
        if let failure {
            unlink(temp)
            throw failure
        }
        syncDirectory(directory)
    }

    /// Removes `path` and makes the removal durable.
    public static func remove(_ path: String) throws(JobFileWriteError) {
        guard unlink(path) == 0 else { throw .io(path: path, operation: "remove", errno: errno) }
        syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// Removes temp files a crash left between create and rename, in `root`
    /// and every folder below it (dot-folders such as `.git` excepted).
    ///
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeLeftovers(under root: String) -> [String] {
        var removed: [String] = []
        var folders = [root]
        while let folder = folders.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                let path = "\(folder)/\(name)"
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    if !name.hasPrefix(".") { folders.append(path) }
                } else if (info.st_mode & S_IFMT) == S_IFREG, isLeftover(name), unlink(path) == 0 {
                    removed.append(path)
                }
            }
        }
        return removed.sorted()
    }

    /// Our temp names: `.cronmetrics-<hex>.tmp`, and `.<name>.tmp-<digits>` of earlier versions.
    static func isLeftover(_ name: String) -> Bool {
        if name.hasPrefix(tempPrefix), name.hasSuffix(tempSuffix) { return true }
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards) else { return false }
        let digits = name[range.upperBound...]
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
