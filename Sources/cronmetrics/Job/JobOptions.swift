import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import Foundation

/// Where the job definitions are: a `jobs.d` tree (`--jobs-dir`, else
/// `jobs.dir` as `serve` resolves it) or a server (`--server`, an admin key).
struct JobOptions: ParsableArguments {
    @Option(help: "The jobs directory (default: $CRONMETRICS_JOBS_DIR, then jobs.dir of --config, then ./jobs.d).")
    var jobsDir: String?
    @Option(help: "A configuration file to take jobs.dir from (default: $CRONMETRICS_CONFIG).")
    var config: String?
    @Option(help: "Go through this server's API instead of editing files, e.g. http://127.0.0.1:8080.")
    var server: String?
    @Option(help: "The admin key for --server (default: $CRONMETRICS_ADMIN_KEY).")
    var adminKey: String?

    func definitions() throws -> any JobDefinitions {
        if let server {
            guard let key = adminKey ?? ProcessInfo.processInfo.environment["CRONMETRICS_ADMIN_KEY"], !key.isEmpty else {
                throw ValidationError("--server needs an admin key: --admin-key or CRONMETRICS_ADMIN_KEY")
            }
            return RemoteJobDefinitions(client: APIClient(server: server, adminKey: key))
        }
        let flags = jobsDir.map { [ConfigKey.jobsDir: FlagValue($0, flag: "--jobs-dir")] } ?? [:]
        return LocalJobDefinitions(root: try Settings.load(configFile: config, flags: flags).string(.jobsDir))
    }
}

/// Runs a job command's work; a refused change prints its error and exits 1.
func refusing<T>(_ body: () async throws(JobEditError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

func parseID(_ text: String) throws -> JobID {
    guard let id = JobID(text) else { throw ValidationError("'\(text)' is not a job id: write job_name@host") }
    return id
}

/// A threshold flag as the API takes it: a number of seconds or a duration string.
func thresholdValue(_ text: String) -> JSONValue {
    Int64(text).map(JSONValue.integer) ?? .string(text)
}
