import Foundation
import Glibc

/// A folder under the system temp dir, removed when the value is released.
final class TempDir: Sendable {
    let path: String

    init(_ name: String = "cronmetrics-test") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `relative`, creating folders as needed; returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path)/\(relative)")
    }
}

/// The test fixtures folder (beside this file).
let fixturesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A minimal valid job file.
func jobYAML(_ name: String, host: String = "db1", threshold: String = "3600", extra: String = "") -> String {
    "version: 1\njob_name: \(name)\nhost: \(host)\nautomatic_failure_threshold: \(threshold)\n\(extra)"
}

/// A small tmpfs mounted over a folder (needs root), for disk-full tests.
struct TinyFileSystem {
    let path: String

    init(at path: String, size: String = "256k") throws {
        self.path = path
        let status = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else { throw MountError(path: path) }
    }

    struct MountError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot mount a tmpfs at \(path)" }
    }

    /// Writes a filler file until the file system is full.
    func fill() {
        let fd = open("\(path)/.filler", O_WRONLY | O_CREAT, 0o600)
        guard fd >= 0 else { return }
        let chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
    }

    func unmount() {
        _ = try? run("/bin/umount", [path])
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
