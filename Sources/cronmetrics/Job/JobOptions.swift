import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import Foundation

/// Where the job definitions are: a `jobs.d` tree (as `serve` resolves it) or,
/// with `--server`, a running server's API (with an admin key).
struct JobOptions: ParsableArguments {
    @OptionGroup var tree: TreeOptions
    @Option(help: "Go through this server's API instead of editing files, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The admin key for --server (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?

    func definitions() throws -> any JobDefinitions {
        guard let server else {
            let settings = try tree.settings()
            return LocalJobDefinitions(root: settings.string(.jobsDir), channels: settings.channelNames)
        }
        let key = try serverKey(adminKey, readOnly: false)
        return RemoteJobDefinitions(client: APIClient(server: server, adminKey: key))
    }
}

/// One job, by id, wherever the definitions are.
struct JobTarget: ParsableArguments {
    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobOptions

    func resolve() throws -> (JobID, any JobDefinitions) {
        guard let id = JobID(id) else { throw ValidationError("'\(id)' is not a job id: write job_name@host") }
        return (id, try options.definitions())
    }
}
