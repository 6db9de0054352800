import CronMetricsCore
import Foundation
import Glibc
import Synchronization

/// Watches a `jobs.d` tree with inotify (every folder, new ones as they
/// appear) and reports "something changed" once a burst of events has been
/// quiet for the debounce interval, or once a long burst has lasted the
/// maximum delay (a `git pull` of 500 files gives one reload, not 500).
///
/// It also watches the root's parent for the root's own name, so a root that
/// is deleted, moved away or replaced (a new folder, a swapped symlink) is
/// watched again as soon as it is back; it rescans after the kernel's queue
/// overflowed; and it reacts to `..`-names, the `..data` symlink swap by which
/// Kubernetes updates a mounted ConfigMap. When watching becomes impossible
/// (inotify missing, the watch limit reached) it says so once and stops, and
/// the caller polls instead.
///
/// Runs on its own thread: inotify is a blocking file descriptor.
final class TreeWatcher: Sendable {
    enum Event: Sendable, Equatable {
        /// Something in the tree may have changed.
        case changed
        /// A note worth logging (the root vanished, came back, a rescan).
        case notice(String)
        /// Watching is impossible from now on: poll instead.
        case unavailable(String)
    }

    let root: String
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)
    private let continuation: AsyncStream<Event>.Continuation
    let events: AsyncStream<Event>
    private let debounce: Double
    private let maxDelay: Double

    private static let folderMask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM
        | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)
    private static let parentMask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

    /// - Throws: the reason when inotify itself is not available.
    init(root: String, debounce: Duration = .milliseconds(100), maxDelay: Duration = .milliseconds(1000)) throws(WatchError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError("inotify is not available: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.root = root
        self.debounce = debounce.seconds
        self.maxDelay = maxDelay.seconds
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let thread = Thread { [self] in self.loop() }
        thread.name = "cronmetrics-watch"
        thread.start()
    }

    struct WatchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Stops the thread; the stream finishes.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// The loop's bookkeeping, owned by the watch thread alone.
    private struct Watches {
        var folders: [Int32: String] = [:]
        var rootWatch: Int32?
        var parentWatch: Int32?
        var rootMissingSince: Double?
    }

    private func loop() {
        var watches = Watches()
        let parent = (root as NSString).deletingLastPathComponent
        let rootName = (root as NSString).lastPathComponent
        let parentWatch = inotify_add_watch(fd, parent.isEmpty ? "." : parent, Self.parentMask)
        if parentWatch >= 0 { watches.parentWatch = parentWatch }
        if let failure = watchTree(&watches) {
            finish(failure)
            return
        }
        if watches.rootWatch == nil {
            continuation.yield(.notice("jobs directory \(root) does not exist; watching for it to appear"))
        }
        // The server loaded the tree before these watches existed: whatever
        // changed in between is caught up by one reload now (a reload of an
        // unchanged tree reads no file and changes nothing visible).
        continuation.yield(.changed)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var firstPending: Double?
        var lastEvent = 0.0
        var lastRootTry = 0.0
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            let now = Date().timeIntervalSinceReferenceDate
            var relevant = false
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    switch handle(buffer, count: count, rootName: rootName, watches: &watches) {
                    case let .failure(failure):
                        finish(failure.reason)
                        return
                    case let .success(changed):
                        relevant = changed
                    }
                }
            }
            // A missing root is retried every 200 ms, and also right after an
            // event in its parent (it may just have been created or moved back).
            if watches.rootWatch == nil, relevant || now - lastRootTry >= 0.2 {
                lastRootTry = now
                if let failure = watchTree(&watches) {
                    finish(failure)
                    return
                }
                if watches.rootWatch != nil {
                    continuation.yield(.notice("jobs directory \(root) is back; watching it again"))
                    relevant = true
                }
            }
            if relevant {
                firstPending = firstPending ?? now
                lastEvent = now
            }
            if let first = firstPending, now - lastEvent >= debounce || now - first >= maxDelay {
                firstPending = nil
                continuation.yield(.changed)
            }
        }
        close(fd)
        continuation.finish()
    }

    private func finish(_ reason: String) {
        continuation.yield(.unavailable(reason))
        close(fd)
        continuation.finish()
    }

    /// Watches the root and every folder below it. A missing root is not a
    /// failure (it is retried); running out of watches is.
    private func watchTree(_ watches: inout Watches) -> String? {
        let wd = inotify_add_watch(fd, root, Self.folderMask | UInt32(IN_ONLYDIR))
        guard wd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return nil
            default: return Self.describe(errno, path: root)
            }
        }
        watches.rootWatch = wd
        watches.folders[wd] = root
        return addWatches(under: root, into: &watches)
    }

    /// Reads a batch of events; adds watches for new folders.
    /// - Returns: whether any event could change the set of jobs, or why watching must stop.
    private func handle(_ buffer: [UInt8], count: Int, rootName: String, watches: inout Watches) -> Result<Bool, WatchFailure> {
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
                // Events were lost: folders may have appeared unseen. Walk again.
                continuation.yield(.notice("inotify queue overflowed; rescanning the jobs directory"))
                if watches.rootWatch != nil, let failure = addWatches(under: root, into: &watches) {
                    return .failure(WatchFailure(failure))
                }
                relevant = true
                continue
            }
            if wd == watches.parentWatch {
                // The root itself was created, removed, moved or replaced.
                guard name == rootName else { continue }
                dropTree(&watches)
                relevant = true
                continue
            }
            if wd == watches.rootWatch, mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                dropTree(&watches)
                continuation.yield(.notice("jobs directory \(root) was removed or moved; watching for it to come back"))
                relevant = true
                continue
            }
            let isFolder = mask & UInt32(IN_ISDIR) != 0
            if isFolder, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.hasPrefix("."), let parent = watches.folders[wd] {
                if let failure = addWatches(under: "\(parent)/\(name)", into: &watches) {
                    return .failure(WatchFailure(failure))
                }
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                watches.folders[wd] = nil
            }
            if Self.isRelevant(name: name, isFolder: isFolder) {
                relevant = true
            }
        }
        return .success(relevant)
    }

    struct WatchFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Whether an event on `name` may change the jobs: job files and folders,
    /// and `..`-names (Kubernetes swaps `..data` to update a ConfigMap mount).
    /// Other dot names are ours (`.cronmetrics-….tmp`) or editors' swap files.
    static func isRelevant(name: String, isFolder: Bool) -> Bool {
        if name.hasPrefix("..") { return true }
        if name.hasPrefix(".") { return false }
        return isFolder || name.isEmpty || JobTree.isJobFileName(name)
    }

    private func dropTree(_ watches: inout Watches) {
        for wd in watches.folders.keys {
            inotify_rm_watch(fd, wd)
        }
        watches.folders.removeAll()
        watches.rootWatch = nil
    }

    private func addWatches(under folder: String, into watches: inout Watches) -> String? {
        let wd = inotify_add_watch(fd, folder, Self.folderMask | UInt32(IN_ONLYDIR))
        guard wd >= 0 else {
            // A folder that vanished meanwhile is not a problem; a full watch table is.
            return errno == ENOENT || errno == ENOTDIR ? nil : Self.describe(errno, path: folder)
        }
        watches.folders[wd] = folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            let path = "\(folder)/\(name)"
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, let failure = addWatches(under: path, into: &watches) {
                return failure
            }
        }
        return nil
    }

    private static func describe(_ code: Int32, path: String) -> String {
        if code == ENOSPC {
            return "cannot watch \(path): the inotify watch limit is reached (raise fs.inotify.max_user_watches)"
        }
        return "cannot watch \(path): \(String(cString: strerror(code)))"
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
