import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import CronMetricsServer
import Foundation

/// `cronmetrics audit`: who changed what, newest first, from the store named
/// by the configuration (or `--database`, `--storage-url`) or, with
/// `--server`, from a running server's `GET /api/audit` (a read-only key is enough).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the audit trail (who changed which job, how, and when), newest first.")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Option(help: "Only rows of this job (job_name@host).") var job: String?
    @Option(help: "Only rows of this actor (a key's name, git, local:USER).") var actor: String?
    @Option(help: "At most this many (1-1000).") var limit = 50
    @Option(help: "Only rows older than this id (the next page).") var before: Int64?
    @Option(help: "table or json.") var output: Output = .table
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).") var config: String?
    @OptionGroup var store: StoreOptions
    @Option(help: "Read through this server's API instead, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The admin or read-only key for --server (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
        if let job, JobID(job) == nil { throw ValidationError("--job '\(job)' is not a job id: write job_name@host") }
    }

    func run() async throws {
        let page = try await fetch()
        guard output == .table else { return print(JSONText.encode(page)) }
        guard !page.entries.isEmpty else { return print("No audit rows.") }
        var rows = [["ID", "TIME", "ACTOR", "ROLE", "ACTION", "JOB", "ROUTE", "FILE", "HASH", "REQUEST/COMMIT"]]
        for entry in page.entries {
            let hashes = "\(entry.hashBefore.map { String($0.prefix(8)) } ?? "-")→\(entry.hashAfter.map { String($0.prefix(8)) } ?? "-")"
            rows.append(["\(entry.id)", RFC3339.format(entry.at), entry.actor, entry.role, entry.action, entry.jobId ?? "-",
                         entry.route, entry.path ?? entry.detail ?? "-", hashes,
                         entry.commit.map { "commit \($0.prefix(12))" } ?? entry.requestId ?? "-"])
        }
        print(Table.render(rows))
        if let next = page.nextBefore { print("\nMore: --before \(next)") }
    }

    private func fetch() async throws -> AuditPage {
        guard let server else {
            let filter = AuditFilter(job: job, actor: actor)
            var found: AuditPage?
            try await Settings.withExistingStore(config: config, flags: store.flags) { _, database in
                found = try await database.audit(filter, limit: limit, before: before)
            }
            guard let found else { throw ExitCode.failure }
            return found
        }
        let key = try serverKey(adminKey, readOnly: true)
        var query: [(String, String)] = [("limit", "\(limit)")]
        if let job { query.append(("job", job)) }
        if let actor { query.append(("actor", actor)) }
        if let before { query.append(("before", "\(before)")) }
        do {
            return try await APIClient(server: server, adminKey: key).send(.GET, "/api/audit" + APIClient.query(query), as: AuditPage.self)
        } catch let failure as APIClient.Failure {
            printError("error: \(server) answered \(failure.status): \(failure.body?.error ?? "")")
            throw ExitCode.failure
        }
    }
}
