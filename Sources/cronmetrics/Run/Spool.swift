import CronMetricsCore
import Foundation
import Glibc

/// Results `cronmetrics run` could not deliver, one file each, per job:
/// written atomically, readable by the owner only (0600), sent first and in
/// order on the job's next run. They hold the result, never the key.
struct Spool {
    let folder: String

    /// - Parameters:
    ///   - base: the spool directory (`--spool`).
    ///   - job: whose results; each job has its own folder.
    init(base: String, job: JobID) {
        folder = (base as NSString).appendingPathComponent(job.description)
    }

    /// The default: `$CRONMETRICS_SPOOL`, else `$XDG_STATE_HOME/cronmetrics/spool`,
    /// else `~/.local/state/cronmetrics/spool`.
    static var defaultBase: String {
        let environment = ProcessInfo.processInfo.environment
        if let spool = environment["CRONMETRICS_SPOOL"], !spool.isEmpty { return spool }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/state"
        return state + "/cronmetrics/spool"
    }

    /// Keeps a result body for later.
    func add(_ body: Data) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Nanoseconds since 1970, zero-padded: names sort in the order written.
        let nanos = UInt64(Date().timeIntervalSince1970 * 1e9)
        let name = String(format: "%020llu", nanos) + "-\(getpid()).json"
        try AtomicFile.write(Array(body), to: "\(folder)/\(name)", mode: 0o600)
    }

    /// The kept results, oldest first.
    func pending() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    func remove(_ path: String) {
        unlink(path)
    }

    /// Runs `body` holding the folder's lock (`.lock`, flock), so two runs of
    /// a job that start together do not both send the same spooled result.
    /// - Returns: false, without running `body`, when another run holds it
    ///   (it is sending them) or there is no spool folder (nothing to send).
    func whileLocked(_ body: () async -> Void) async -> Bool {
        let fd = open("\(folder)/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        await body()
        return true
    }
}
