import CronMetricsCore
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs a command with stdin passed through and stdout and stderr copied
/// byte for byte to ours, keeping the last bytes of both for the result.
///
/// The command runs in a process group of its own, so what it starts (a
/// shell's children, a pipeline, a background `&`) is signalled with it:
/// signals the wrapper gets (TERM, INT, HUP, QUIT, USR1, USR2) are passed on
/// to the whole group, and a timeout sends TERM to the group, then KILL
/// `killAfter` later. Once the command itself has ended, output pipes still
/// held open by processes it left behind are read for `orphanGrace` at most:
/// an orphan must not keep the wrapper (and the report) waiting.
enum ChildProcess {
    struct Outcome {
        /// The exit status as a shell reports it: the command's own, 128 + N
        /// when killed by signal N, 124 when the timeout stopped it.
        var exitCode: Int32
        var tail: [UInt8]
        var timedOut: Bool
    }

    static let forwarded = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]
    /// From the timeout's TERM to the KILL of what is still running.
    static let killAfter: Duration = .seconds(10)
    /// How long output is still read after the command ended, from pipes its
    /// leftovers hold.
    static let orphanGrace: Duration = .seconds(2)

    /// - Throws: the `posix_spawnp` error when the command cannot start.
    static func run(_ arguments: [String], timeout: Duration?, tailBytes: Int) throws -> Outcome {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw SpawnError(code: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        closeOnExec(above: 2)
        // The wrapper ignores SIGPIPE and catches the forwarded signals; the
        // command starts with every signal as it would without the wrapper.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in forwarded + [SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Dispatch's signal sources block the signals they watch, and a blocked
        // mask is inherited: the command starts with nothing blocked.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        // A group of its own (its id is the command's pid): the group is what
        // the timeout and forwarded signals reach.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The job's key stays with the wrapper: the command's output is
        // stored, and a command that prints its environment must not store it.
        let environment = childEnvironment().map { strdup($0) } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environment)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError(code: spawned)
        }

        let queue = DispatchQueue(label: "cronmetrics-run-signals")
        // The group's id: kill(-group) reaches the command and everything it
        // started that stayed in the group, even after the command is reaped
        // (the id is not reused while a member lives).
        let group = -pid
        var sources: [DispatchSourceSignal] = []
        for signal in forwarded {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { kill(group, signal) }
            source.resume()
            sources.append(source)
        }
        let timedOut = TimedOutFlag()
        var timers: [DispatchSourceTimer] = []
        if let timeout {
            let term = DispatchSource.makeTimerSource(queue: queue)
            term.schedule(deadline: .now() + dispatchInterval(timeout))
            term.setEventHandler {
                timedOut.set()
                kill(group, SIGTERM)
            }
            let killer = DispatchSource.makeTimerSource(queue: queue)
            killer.schedule(deadline: .now() + dispatchInterval(timeout + killAfter))
            killer.setEventHandler { kill(group, SIGKILL) }
            timers = [term, killer]
            timers.forEach { $0.resume() }
        }

        var status: Int32 = 0
        let tail = copy(from: [(outPipe[0], 1), (errPipe[0], 2)], keeping: tailBytes, child: pid, status: &status) {
            // The command ended after the timeout's TERM: what it left in its
            // group goes too, at once.
            if timedOut.isSet { kill(group, SIGKILL) }
        }
        queue.sync {
            for source in sources { source.cancel() }
            for timer in timers { timer.cancel() }
        }
        let code: Int32
        if timedOut.isSet {
            code = 124
        } else if status & 0x7f == 0 {
            code = (status >> 8) & 0xff
        } else {
            code = 128 + (status & 0x7f)
        }
        return Outcome(exitCode: code, tail: tail, timedOut: timedOut.isSet)
    }

    /// Marks every open descriptor above `lowest` close-on-exec. Nothing but
    /// stdio reaches the command: a descriptor the wrapper inherited or
    /// opened (its parent's pipes, its event loops) would otherwise live on in
    /// whatever the command leaves running, and hold its parent's pipes open.
    /// (glibc's `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift.)
    static func closeOnExec(above lowest: Int32) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > lowest else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// The wrapper's environment without the job's key.
    static func childEnvironment() -> [String] {
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("CRONMETRICS_JOB_KEY=") { entries.append(text) }
            pointer += 1
        }
        return entries
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        .nanoseconds(Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000))
    }

    /// Copies each pipe to its file descriptor until every pipe is closed, or
    /// until `orphanGrace` after the command (`child`) ended; reaps the
    /// command into `status` (calling `ended` then) and returns the last
    /// `keeping` bytes of all pipes, in the order read.
    private static func copy(from pipes: [(Int32, Int32)], keeping limit: Int, child: pid_t, status: inout Int32,
                             ended: () -> Void) -> [UInt8] {
        var open = pipes
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var reaped = false
        var stopReading: ContinuousClock.Instant?
        func reap(blocking: Bool) {
            guard !reaped else { return }
            var result: pid_t
            repeat { result = waitpid(child, &status, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
            guard result == child else { return }
            reaped = true
            stopReading = .now + orphanGrace
            ended()
        }
        while !open.isEmpty {
            reap(blocking: false)
            if let stopReading, ContinuousClock.now >= stopReading { break }
            var polls = open.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            // A short wait while the command runs, so its end is seen even
            // when something it left behind holds the pipes open.
            guard poll(&polls, nfds_t(polls.count), 100) >= 0 || errno == EINTR else { break }
            for (index, entry) in polls.enumerated().reversed() where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else {
                    close(entry.fd)
                    open.remove(at: index)
                    continue
                }
                // A closed output (EPIPE) drops the bytes: the command must not
                // block because a reader went away.
                FileDescriptor.writeAll(buffer[0..<count], to: open[index].1)
                tail.append(contentsOf: buffer[0..<count])
                if tail.count > 2 * limit { tail.removeFirst(tail.count - limit) }
            }
        }
        for (fd, _) in open { close(fd) }
        reap(blocking: true)
        return tail.count > limit ? Array(tail.suffix(limit)) : tail
    }

    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }
}

/// Set by the timeout timer on the signal queue, read by the thread that
/// copies the output: an atomic, so no ordering argument is needed.
final class TimedOutFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
