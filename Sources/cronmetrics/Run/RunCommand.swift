import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import Foundation
import Glibc

/// `cronmetrics run --job ID -- CMD ARGS…`: wraps a command on the cron host.
/// A start signal, the command with its stdio passed through, a result with
/// exit code, duration and the output's tail, and the command's exit code as
/// the wrapper's own. A result that cannot be delivered is spooled and sent
/// first on the job's next run: a monitor outage never loses a run.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a command and report its start and result.",
        discussion: "The key comes from --key-file or $CRONMETRICS_JOB_KEY; the server from --server or $CRONMETRICS_SERVER (default http://127.0.0.1:8080). Exits with the command's exit code (124 after --timeout).")

    @Option(help: "The job, job_name@host.") var job: String
    @Option(help: "The cronmetrics server.") var server: String?
    @Option(help: "A file holding the job's key.") var keyFile: String?
    @Option(help: "Stop the command after this long (TERM, then KILL 10 s later); exit 124.") var timeout: String?
    @Option(help: "Where undelivered results wait (default ~/.local/state/cronmetrics/spool).") var spool: String?
    @Argument(parsing: .captureForPassthrough, help: "-- then the command and its arguments.") var command: [String] = []

    /// The output kept for the result: its last 64 KiB.
    static let tailBytes = 64 << 10

    func run() async throws {
        guard let id = JobID(job) else { throw ValidationError("--job takes job_name@host (got \(job))") }
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else { throw ValidationError("give the command after --, e.g. cronmetrics run --job backup@db1 -- /usr/local/bin/backup") }
        var limit: Duration?
        if let timeout {
            guard let seconds = JobDuration(parsing: timeout)?.seconds else { throw ValidationError("--timeout takes a duration such as 90s, 30m, 2h") }
            limit = .seconds(seconds)
        }
        signal(SIGPIPE, SIG_IGN)
        for forwarded in ChildProcess.forwarded { signal(forwarded, SIG_IGN) }  // caught by dispatch sources instead
        let delivery = try Delivery(job: id, server: server, keyFile: keyFile, spool: spool)
        await delivery?.flush()
        let runID = UUID().uuidString.lowercased()
        await delivery?.start(runID: runID)

        let started = ContinuousClock.now
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await Self.spawn(arguments, timeout: limit)
        } catch {
            printError("cronmetrics run: cannot start \(arguments[0]): \(error)")
            await delivery?.finish(exitCode: 127, duration: 0, output: "cannot start \(arguments[0]): \(error)", runID: runID)
            throw ExitCode(127)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var output = String(decoding: outcome.tail, as: UTF8.self)
        if outcome.timedOut { output += "\n[cronmetrics run: stopped after --timeout \(timeout ?? "")]" }
        await delivery?.finish(exitCode: Int(outcome.exitCode), duration: seconds, output: output, runID: runID)
        throw ExitCode(outcome.exitCode)
    }

    /// The command on a thread of its own: it may run for hours.
    static func spawn(_ arguments: [String], timeout: Duration?) async throws -> ChildProcess.Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try ChildProcess.run(arguments, timeout: timeout, tailBytes: tailBytes) })
            }
            thread.start()
        }
    }
}
