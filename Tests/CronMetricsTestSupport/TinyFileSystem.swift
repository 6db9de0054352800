import Foundation
import Glibc

/// A small tmpfs mounted over a folder (needs root), for disk-full tests.
public struct TinyFileSystem {
    public let path: String

    public init(at path: String, size: String = "256k") throws {
        self.path = path
        let status = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else { throw MountError(path: path) }
    }

    public struct MountError: Error, CustomStringConvertible {
        var path: String
        public var description: String { "cannot mount a tmpfs at \(path)" }
    }

    /// Writes a filler file until the file system is full.
    public func fill() {
        let fd = open("\(path)/.filler", O_WRONLY | O_CREAT, 0o600)
        guard fd >= 0 else { return }
        let chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
    }

    public func unmount() {
        _ = try? run("/bin/umount", [path])
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
