#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a file so that readers see either the old bytes or the new ones,
/// never a half-written file, and so that the new bytes survive a crash once
/// ``write(_:to:)`` returns: temp file in the same folder, fsync, rename, fsync
/// of the folder.
public enum AtomicFile {
    /// - Throws: ``JobFileWriteError/io(path:operation:errno:)`` when any step fails;
    ///   the temp file is removed and the target is left as it was.
    public static func write(_ bytes: [UInt8], to path: String) throws(JobFileWriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        // A dot name: the tree walk ignores it, so a crash can never leave a
        // temp file that reloads as a job.
        let temp = "\(directory)/.\(name).tmp-\(UInt64.random(in: 0 ... .max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temp, operation: "create", errno: errno) }
        var failure: JobFileWriteError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: temp, operation: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
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

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
