#if canImport(Glibc)
import Glibc
#endif
import CronMetricsCore
import Foundation
import Synchronization

/// Watches a `jobs.d` tree with inotify (every folder, new ones as they
/// appear) and reports "something changed" once a burst of events has been
/// quiet for the debounce interval, or once a long burst has lasted the
/// maximum delay (a `git pull` of 500 files gives one reload, not 500).
///
/// Runs on its own thread: inotify is a blocking file descriptor.
final class TreeWatcher: Sendable {
    let root: String
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)
    private let continuation: AsyncStream<Void>.Continuation
    /// One element per settled burst of changes.
    let changes: AsyncStream<Void>
    private let debounce: Double
    private let maxDelay: Double

    private static let mask: UInt32 = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM
        | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)

    /// - Returns: nil when inotify is not available (the caller polls instead).
    init?(root: String, debounce: Duration = .milliseconds(100), maxDelay: Duration = .milliseconds(1000)) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.root = root
        self.debounce = Double(debounce.components.seconds) + Double(debounce.components.attoseconds) / 1e18
        self.maxDelay = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let thread = Thread { [self] in self.loop() }
        thread.name = "cronmetrics-watch"
        thread.start()
    }

    /// Stops the thread; the stream finishes.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func loop() {
        var folders: [Int32: String] = [:]
        addWatches(under: root, into: &folders)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var firstPending: Double?
        var lastEvent = 0.0
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            let now = Date().timeIntervalSinceReferenceDate
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0, handle(buffer, count: count, folders: &folders) {
                    firstPending = firstPending ?? now
                    lastEvent = now
                }
            }
            if let first = firstPending, now - lastEvent >= debounce || now - first >= maxDelay {
                firstPending = nil
                continuation.yield()
            }
        }
        close(fd)
        continuation.finish()
    }

    /// Reads a batch of events; adds watches for new folders.
    /// - Returns: whether any event could change the set of jobs.
    private func handle(_ buffer: [UInt8], count: Int, folders: inout [Int32: String]) -> Bool {
        var relevant = false
        var offset = 0
        while offset + 16 <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                 raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                 Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
            }
            let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, count)].prefix { $0 != 0 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            offset += 16 + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                relevant = true
                continue
            }
            let isFolder = mask & UInt32(IN_ISDIR) != 0
            if isFolder, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.hasPrefix("."), let parent = folders[wd] {
                addWatches(under: "\(parent)/\(name)", into: &folders)
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                folders[wd] = nil
            }
            // Our own temp files and editors' swap files are dotfiles: not a change.
            if name.hasPrefix(".") { continue }
            if isFolder || name.isEmpty || JobTree.isJobFileName(name) {
                relevant = true
            }
        }
        return relevant
    }

    private func addWatches(under folder: String, into folders: inout [Int32: String]) {
        let wd = inotify_add_watch(fd, folder, Self.mask)
        guard wd >= 0 else { return }
        folders[wd] = folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            let path = "\(folder)/\(name)"
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                addWatches(under: path, into: &folders)
            }
        }
    }
}
