import Foundation
import Glibc
import Synchronization

/// A child process for the tests: the part of Foundation's `Process` they
/// use, started with `posix_spawn` and reaped with `waitpid`.
///
/// Foundation's `Process` is not used. On Linux it watches its children from
/// a helper thread through `select()`, whose `fd_set` holds descriptors below
/// 1,024 only; a test process with more open (database pools, the
/// 300-connection tests' sockets) that started one corrupted memory: a
/// SIGSEGV inside `Process.run()`, or a hang.
///
/// Nothing but the three standard descriptors reaches the child (every other
/// descriptor is closed in it), so a pipe another test is reading is never
/// held open by this child.
public final class TestProcess: @unchecked Sendable {
    public var executableURL: URL?
    public var arguments: [String]?
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe` or a `FileHandle`; nil inherits the test process's.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    private struct State {
        var pid: pid_t = 0
        var status: Int32?
    }
    private let state = Mutex(State())

    public init() {}

    public var processIdentifier: Int32 { state.withLock { $0.pid } }

    public func run() throws {
        guard let executable = executableURL?.path else { throw SpawnFailure(code: ENOENT, what: "no executableURL") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The file actions return their error; they do not set errno.
        func check(_ code: Int32, _ what: @autoclosure () -> String) throws {
            guard code == 0 else { throw SpawnFailure(code: code, what: what()) }
        }
        for (value, target, reading) in [(standardInput, Int32(0), true), (standardOutput, 1, false), (standardError, 2, false)] {
            guard let fd = Self.descriptor(value, reading: reading) else { continue }
            if fd >= 0 {
                try check(posix_spawn_file_actions_adddup2(&actions, fd, target), "dup2 \(fd)")
            } else {
                // `FileHandle.nullDevice` has no descriptor (-1) on Linux.
                try check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null", reading ? O_RDONLY : O_WRONLY, 0), "/dev/null")
            }
        }
        if let directory = currentDirectoryURL?.path {
            try check(Self.addChdir(&actions, directory), "chdir \(directory)")
        }
        try check(Self.addCloseFrom(&actions, 3), "closefrom")
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and SIGPIPE at its default,
        // whatever the test process's threads have set.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + (arguments ?? [])).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let entries = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = entries.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // As Foundation does: the child's ends of the pipes are closed here,
        // so a reader sees the end of its output when the child exits.
        for (value, reading) in [(standardInput, true), (standardOutput, false), (standardError, false)] {
            if let pipe = value as? Pipe { try? (reading ? pipe.fileHandleForReading : pipe.fileHandleForWriting).close() }
        }
        guard spawned == 0 else { throw SpawnFailure(code: spawned, what: executable) }
        state.withLock { $0.pid = pid }
    }

    public var isRunning: Bool {
        state.withLock { state in
            guard state.pid > 0, state.status == nil else { return false }
            var status: Int32 = 0
            if waitpid(state.pid, &status, WNOHANG) == state.pid { state.status = status }
            return state.status == nil
        }
    }

    /// Blocks the calling thread until the child has exited.
    public func waitUntilExit() {
        let pid = processIdentifier
        guard pid > 0 else { return }
        // Waits for the exit without reaping (WNOWAIT), then reaps under the
        // lock: the child is reaped only where `signal` and `isRunning` look,
        // so its id is never signalled after it could belong to another process.
        var info = siginfo_t()
        while state.withLock({ $0.status == nil }),
              waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        state.withLock { state in
            guard state.status == nil else { return }
            var status: Int32 = 0
            if waitpid(pid, &status, 0) == pid { state.status = status }
        }
    }

    private var rawStatus: Int32 {
        state.withLock { state in
            precondition(state.status != nil, "the process has not exited")
            return state.status!
        }
    }

    /// The exit code, or the signal's number when a signal ended it.
    public var terminationStatus: Int32 {
        let status = rawStatus
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: Process.TerminationReason {
        rawStatus & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    public func terminate() { signal(SIGTERM) }
    public func interrupt() { signal(SIGINT) }

    /// Sends `number` while the child has not been reaped (a reaped child's
    /// id may already belong to another process).
    public func signal(_ number: Int32) {
        state.withLock { state in
            if state.pid > 0, state.status == nil { kill(state.pid, number) }
        }
    }

    private static func descriptor(_ value: Any?, reading: Bool) -> Int32? {
        if let pipe = value as? Pipe {
            return reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
        }
        return (value as? FileHandle)?.fileDescriptor
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34) and
    /// `…_addchdir_np` (2.29), which its header hides from Swift; found at run time.
    private static let addCloseFrom = glibc("posix_spawn_file_actions_addclosefrom_np",
                                            as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    private static let addChdir = glibc("posix_spawn_file_actions_addchdir_np",
                                        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)

    private static func glibc<F>(_ name: String, as type: F.Type) -> F {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("glibc 2.34 or later is needed: \(name) is missing")
        }
        return unsafeBitCast(symbol, to: type)
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public let code: Int32
        public let what: String
        public var description: String { "cannot start \(what): \(String(cString: strerror(code)))" }
    }
}
