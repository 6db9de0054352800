import Dispatch
import Foundation
import Glibc

/// Runs a command with stdin passed through and stdout and stderr copied
/// byte for byte to ours, keeping the last bytes of both for the result.
/// Signals the wrapper gets (TERM, INT, HUP, QUIT, USR1, USR2) are passed on
/// to the command; a timeout sends TERM, then KILL ten seconds later.
enum ChildProcess {
    struct Outcome {
        /// The exit status as a shell reports it: the command's own, 128 + N
        /// when killed by signal N, 124 when the timeout stopped it.
        var exitCode: Int32
        var tail: [UInt8]
        var timedOut: Bool
    }

    static let forwarded = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError(code: spawned)
        }

        let queue = DispatchQueue(label: "cronmetrics-run-signals")
        let child = pid
        var sources: [DispatchSourceSignal] = []
        for signal in forwarded {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { kill(child, signal) }
            source.resume()
            sources.append(source)
        }
        let timedOut = TimedOutFlag()
        var timers: [DispatchSourceTimer] = []
        if let timeout {
            let nanoseconds = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
            let term = DispatchSource.makeTimerSource(queue: queue)
            term.schedule(deadline: .now() + .nanoseconds(nanoseconds))
            term.setEventHandler {
                timedOut.set()
                kill(child, SIGTERM)
            }
            let killer = DispatchSource.makeTimerSource(queue: queue)
            killer.schedule(deadline: .now() + .nanoseconds(nanoseconds) + .seconds(10))
            killer.setEventHandler { kill(child, SIGKILL) }
            timers = [term, killer]
            timers.forEach { $0.resume() }
        }

        let tail = copy(from: [(outPipe[0], 1), (errPipe[0], 2)], keeping: tailBytes)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        queue.sync {
            for source in sources { source.cancel() }
            for timer in timers { timer.cancel() }
        }
        let code: Int32
        if timedOut.value {
            code = 124
        } else if status & 0x7f == 0 {
            code = (status >> 8) & 0xff
        } else {
            code = 128 + (status & 0x7f)
        }
        return Outcome(exitCode: code, tail: tail, timedOut: timedOut.value)
    }

    /// Copies each pipe to its file descriptor until every pipe is closed;
    /// returns the last `keeping` bytes of all of them, in the order read.
    private static func copy(from pipes: [(Int32, Int32)], keeping limit: Int) -> [UInt8] {
        var open = pipes
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            var polls = open.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), -1) >= 0 || errno == EINTR else { break }
            for (index, entry) in polls.enumerated().reversed() where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else {
                    close(entry.fd)
                    open.remove(at: index)
                    continue
                }
                writeAll(buffer[0..<count], to: open[index].1)
                tail.append(contentsOf: buffer[0..<count])
                if tail.count > 2 * limit { tail.removeFirst(tail.count - limit) }
            }
        }
        return tail.count > limit ? Array(tail.suffix(limit)) : tail
    }

    /// Writes all of `bytes`; a closed output (EPIPE) drops them: the command
    /// must not block because a reader went away.
    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }
}

/// Set once by the timeout timer, read after the command ended.
// @unchecked Sendable: written on the signal queue, read after that queue was
// drained with a sync call, which orders the write before the read.
final class TimedOutFlag: @unchecked Sendable {
    private(set) var value = false
    func set() { value = true }
}
