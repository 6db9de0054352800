import CronMetricsClient
import CronMetricsCore
import Foundation

/// How `cronmetrics run` gets its signals to the server: a few tries with
/// backoff, then the spool for results. Problems are warnings on stderr: the
/// command runs whatever the monitor's state.
struct Delivery {
    let id: JobID
    let client: SignalClient
    let spool: Spool
    /// Tries per send, and the pause before each retry.
    static let backoff: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2)]

    /// nil (with a warning) when there is no key: the command still runs.
    init?(job: JobID, server: String?, keyFile: String?, spool: String?) throws {
        let environment = ProcessInfo.processInfo.environment
        var key = environment["CRONMETRICS_JOB_KEY"]
        if let keyFile {
            guard let text = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
                printError("cronmetrics run: cannot read --key-file \(keyFile); the run is not reported")
                return nil
            }
            key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let key, !key.isEmpty else {
            printError("cronmetrics run: no key (--key-file or CRONMETRICS_JOB_KEY); the run is not reported")
            return nil
        }
        id = job
        client = SignalClient(server: server ?? environment["CRONMETRICS_SERVER"] ?? "http://127.0.0.1:8080", key: key)
        self.spool = Spool(base: spool ?? Spool.defaultBase, job: job)
    }

    /// Sends the job's spooled results, oldest first, until one fails to go;
    /// under the spool's lock (another run holding it is sending them). The
    /// server keeps one result per run id besides.
    func flush() async {
        guard !spool.pending().isEmpty else { return }
        let sent = await spool.whileLocked { await send(spool.pending()) }
        if !sent { printError("cronmetrics run: another run of this job is sending the spooled results") }
    }

    private func send(_ paths: [String]) async {
        for path in paths {
            guard let body = FileManager.default.contents(atPath: path) else { continue }
            switch await client.result(body) {
            case .stored:
                spool.remove(path)
            case let .refused(status, message):
                printError("cronmetrics run: a spooled result was refused (HTTP \(status): \(message)); dropping \(path)")
                spool.remove(path)
            case let .retry(reason):
                printError("cronmetrics run: spooled results stay spooled: \(reason)")
                return
            }
        }
    }

    /// Best effort: a start that does not arrive only loses the running state.
    func start(runID: String) async {
        if case let .retry(reason) = await client.start(jobID: id, runID: runID) {
            printError("cronmetrics run: start not reported: \(reason)")
        }
    }

    /// Sends the result; if it cannot be delivered, spools it with its real time.
    func finish(exitCode: Int, duration: Double, output: String, runID: String) async {
        let body: [String: JSONValue] = [
            "job_name": .string(id.jobName), "host": .string(id.host), "exit_code": .integer(Int64(exitCode)),
            "duration": .number(duration), "output": .string(output), "run_id": .string(runID),
            "timestamp": .string(RFC3339.format(Date())),
        ]
        guard let data = try? APICoding.encoder.encode(body) else { return }
        var last = ""
        for (attempt, pause) in Self.backoff.enumerated() {
            switch await client.result(data) {
            case .stored:
                return
            case let .refused(status, message):
                printError("cronmetrics run: the result was refused (HTTP \(status): \(message))")
                return
            case let .retry(reason):
                last = reason
                if attempt < Self.backoff.count - 1 { try? await Task.sleep(for: pause) }
            }
        }
        do {
            try spool.add(data)
            printError("cronmetrics run: result spooled (\(last)); it is sent on the job's next run")
        } catch {
            printError("cronmetrics run: result lost: cannot spool to \(spool.folder): \(error)")
        }
    }
}
