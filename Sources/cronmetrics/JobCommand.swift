import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics job …`: edit job files in a `jobs.d` checkout (then commit).
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Add, list, show, update and delete jobs by editing their files in jobs.d.",
        discussion: "Run these in your git checkout and commit the result; a running server picks the change up by itself.",
        subcommands: [JobAddCommand.self, JobListCommand.self, JobShowCommand.self, JobUpdateCommand.self,
                      JobDeleteCommand.self, JobRotateKeyCommand.self])
}

/// `--jobs-dir` (or `jobs.dir` from `--config`), or `--server` and
/// `--admin-key`, shared by every job command.
struct JobsDirOption: ParsableArguments {
    @Option(help: "The jobs directory (default: $CRONMETRICS_JOBS_DIR, then jobs.dir of --config, then ./jobs.d).")
    var jobsDir: String?

    @Option(help: "A configuration file to take jobs.dir from (default: $CRONMETRICS_CONFIG).")
    var config: String?

    @Option(help: "Go through this server's API instead of editing files, e.g. http://127.0.0.1:8080.")
    var server: String?

    @Option(help: "The admin key for --server (default: $CRONMETRICS_ADMIN_KEY).")
    var adminKey: String?

    /// The API client when `--server` was given.
    func client() throws -> JobAPIClient? {
        try server.map { try JobAPIClient(server: $0, adminKey: adminKey) }
    }

    /// The tree, resolved as `serve` resolves it: flag, environment, file, default.
    var editor: JobTreeEditor {
        get throws {
            var flags: [String: (value: String, flag: String)] = [:]
            if let jobsDir { flags["jobs.dir"] = (jobsDir, "--jobs-dir") }
            return JobTreeEditor(root: try EffectiveConfiguration(configFile: config, flags: flags).server.jobsDirectory)
        }
    }
}

/// Runs an edit, printing its error and exiting 1 when it is refused.
func editing<T>(_ body: () throws(JobEditError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

func parseID(_ text: String) throws -> JobID {
    guard let id = JobID(text) else {
        throw ValidationError("'\(text)' is not a job id: write job_name@host")
    }
    return id
}

func parseThreshold(_ text: String) throws -> Threshold {
    guard let threshold = Threshold(parsing: text) else {
        throw ValidationError("--threshold must be positive seconds (3600) or a duration such as 90m, 1h30m, 2d (got \(text))")
    }
    return threshold
}

func parseLabels(_ pairs: [String]) throws -> [String: String] {
    var labels: [String: String] = [:]
    for pair in pairs {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--label takes name=value (got \(pair))") }
        if let problem = LabelName.problem(parts[0]) { throw ValidationError(problem) }
        labels[parts[0]] = parts[1]
    }
    return labels
}

struct JobAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a job file and mint its API key.")

    @Option(help: "The job's name.") var name: String
    @Option(help: "The host it runs on.") var host: String
    @Option(help: "Seconds of silence before the job is failed, or a duration (90m, 1h30m, 2d).") var threshold: String
    @Option(help: "A label, name=value (repeatable).") var label: [String] = []
    @Option(help: "A description.") var description: String?
    @Option(help: "Use this key instead of generating one.") var apiKey: String?
    @OptionGroup var options: JobsDirOption

    func run() async throws {
        for (field, value) in [("--name", name), ("--host", host)] {
            if let problem = Identifier.problem(value) { throw ValidationError("\(field) \(problem)") }
        }
        if let problem = JobID.problem(jobName: name, host: host) { throw ValidationError(problem) }
        if let apiKey, let problem = APIKeyHash.customKeyProblem(apiKey) { throw ValidationError("--api-key: \(problem)") }
        if let client = try options.client() {
            var body: [String: Any] = ["job_name": name, "host": host, "automatic_failure_threshold": try parseThreshold(threshold).text ?? threshold,
                                       "labels": try parseLabels(label)]
            body["description"] = description
            body["api_key"] = apiKey
            let created = try await client.call(.POST, "/api/job", body: body) as? [String: Any]
            let job = created?["job"] as? [String: Any]
            print("Job ID \(job?["id"] as? String ?? "\(name)@\(host)") created successfully")
            print("File: \(job?["path"] as? String ?? "?") (on the server)")
            print("API Key: \(created?["api_key"] as? String ?? apiKey ?? "")")
            print("Keep the key now: only its SHA-256 is stored, so it cannot be shown again.")
            return
        }
        let key = apiKey ?? APIKeyHash.generateKey()
        let job = Job(jobName: name, host: host, threshold: try parseThreshold(threshold), labels: try parseLabels(label),
                      apiKeySHA256: APIKeyHash.sha256Hex(of: key), description: description)
        let editor = try options.editor
        let path = try editing { () throws(JobEditError) in try editor.create(job) }
        print("Job ID \(job.id) created successfully")
        print("File: \(JobTree(root: editor.root).displayPath(path))")
        print("API Key: \(key)")
        print("Keep the key now: only its SHA-256 is stored, so it cannot be shown again.")
    }
}

struct JobListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, optionally filtered.")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Option(help: "Only jobs with this label, name=value (repeatable).") var label: [String] = []
    @Option(help: "Only jobs with this lifecycle status.") var status: String?
    @Option(help: "Only jobs on this host.") var host: String?
    @Flag(help: "Explain where the API keys are (only their hashes are stored).") var showAPIKeys = false
    @Option(help: "table or json.") var output: Output = .table
    @OptionGroup var options: JobsDirOption

    func run() async throws {
        let wanted = try parseLabels(label)
        if let client = try options.client() {
            var query = wanted.map { "label=\(JobAPIClient.percentEncoded("\($0.key)=\($0.value)"))" }
            if let status { query.append("status=\(JobAPIClient.percentEncoded(status))") }
            if let host { query.append("host=\(JobAPIClient.percentEncoded(host))") }
            let body = try await client.call(.GET, "/api/job" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))) as? [String: Any]
            let jobs = body?["jobs"] as? [[String: Any]] ?? []
            if output == .json {
                print(JobAPIClient.pretty(jobs))
                return
            }
            var rows = [["ID", "STATUS", "THRESHOLD", "LABELS", "FILE"]]
            for job in jobs {
                let labels = (job["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                rows.append([job["id"] as? String ?? "", job["status"] as? String ?? "",
                             "\(job["automatic_failure_threshold"] ?? "")", labels.joined(separator: ","), job["path"] as? String ?? ""])
            }
            print(Table.render(rows))
            if showAPIKeys { printKeyNote() }
            return
        }
        let editor = try options.editor
        let catalog = try editing { () throws(JobEditError) in try editor.load() }
        let entries = catalog.entries.values.sorted { $0.job.id < $1.job.id }.filter { entry in
            (status == nil || entry.job.status.rawValue == status) && (host == nil || entry.job.host == host)
                && wanted.allSatisfy { entry.job.labels[$0.key] == $0.value }
        }
        if output == .json {
            print(JSONText.encode(entries.map { JobSummary(entry: $0, root: editor.root) }))
            return
        }
        var rows = [["ID", "STATUS", "THRESHOLD", "LABELS", "FILE"] + (showAPIKeys ? ["KEY SHA-256"] : [])]
        for entry in entries {
            let job = entry.job
            var row = [job.id.description, job.status.rawValue, job.threshold.text ?? "\(job.threshold.seconds)s",
                       job.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                       JobTree(root: editor.root).displayPath(entry.path)]
            if showAPIKeys { row.append(job.apiKeySHA256.map { String($0.prefix(12)) + "…" } ?? "(none)") }
            rows.append(row)
        }
        print(Table.render(rows))
        if showAPIKeys { printKeyNote() }
    }

    private func printKeyNote() {
        print("\nAPI keys are never stored, only their SHA-256 hashes, so they cannot be shown.")
        print("Issue a new key with: cronmetrics job rotate-key ID")
    }
}

struct JobShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job's definition.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobsDirOption

    func run() async throws {
        let id = try parseID(id)
        if let client = try options.client() {
            print(JobAPIClient.pretty(try await client.call(.GET, "/api/job/\(id)")))
            return
        }
        let editor = try options.editor
        guard let entry = try editing({ () throws(JobEditError) in try editor.load() }).entries[id] else {
            printError("error: job \(id) not found")
            throw ExitCode.failure
        }
        print("# \(JobTree(root: editor.root).displayPath(entry.path))")
        print(JobFileRenderer().render(entry.job, header: false), terminator: "")
    }
}

struct JobUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a job in its file.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @Flag(help: "Put the job in maintenance (-1, no deadline).") var maintenance = false
    @Option(help: "With --maintenance: when maintenance ends by itself (RFC 3339).") var maintenanceUntil: String?
    @Flag(help: "Make the job active.") var active = false
    @Flag(help: "Pause the job.") var paused = false
    @Flag(help: "Retire the job (no longer exported).") var retired = false
    @Option(help: "A new threshold: seconds or a duration.") var threshold: String?
    @Option(help: "Set a label, name=value (repeatable).") var label: [String] = []
    @Option(help: "Remove a label (repeatable).") var removeLabel: [String] = []
    @Option(help: "A new description.") var description: String?
    @Flag(help: "Mint a new API key (the old one stops working).") var rotateKey = false
    @OptionGroup var options: JobsDirOption

    func validate() throws {
        if [maintenance, active, paused, retired].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --maintenance, --active, --paused, --retired")
        }
        if maintenanceUntil != nil, !maintenance {
            throw ValidationError("--maintenance-until goes with --maintenance")
        }
    }

    func run() async throws {
        let id = try parseID(id)
        let threshold = try threshold.map(parseThreshold)
        let labels = try parseLabels(label)
        var until: Date?
        if let text = maintenanceUntil {
            guard let date = RFC3339.parse(text) else {
                throw ValidationError("--maintenance-until must be RFC 3339, e.g. 2026-12-01T06:00:00Z")
            }
            until = date
        }
        if let client = try options.client() {
            var patch: [String: Any] = [:]
            if maintenance {
                patch["status"] = "maintenance"
                patch["maintenance_until"] = maintenanceUntil ?? NSNull()
            }
            if active { patch["status"] = "active"; patch["maintenance_until"] = NSNull() }
            if paused { patch["status"] = "paused" }
            if retired { patch["status"] = "retired" }
            if let threshold { patch["automatic_failure_threshold"] = threshold.text ?? threshold.seconds }
            var labelPatch: [String: Any] = labels
            for name in removeLabel { labelPatch[name] = NSNull() }
            if !labelPatch.isEmpty { patch["labels"] = labelPatch }
            if let description { patch["description"] = description }
            if !patch.isEmpty {
                try await client.call(.PATCH, "/api/job/\(id)", body: patch)
            }
            print("Job ID \(id) updated successfully")
            if rotateKey, let rotated = try await client.call(.POST, "/api/job/\(id)/rotate-key") as? [String: Any] {
                print("API Key: \(rotated["api_key"] as? String ?? "")")
            }
            return
        }
        let newKey = rotateKey ? APIKeyHash.generateKey() : nil
        let (maintenance, active, paused, retired, removeLabel, description) = (self.maintenance, self.active, self.paused, self.retired, self.removeLabel, self.description)
        let editor = try options.editor
        let entry = try editing { () throws(JobEditError) in
            try editor.update(id) { job in
                if maintenance { job.status = .maintenance; job.maintenanceUntil = until }
                if active { job.status = .active; job.maintenanceUntil = nil }
                if paused { job.status = .paused }
                if retired { job.status = .retired }
                if let threshold { job.threshold = threshold }
                for name in removeLabel { job.labels[name] = nil }
                job.labels.merge(labels) { $1 }
                if let description { job.description = description }
                if let newKey { job.apiKeySHA256 = APIKeyHash.sha256Hex(of: newKey) }
            }
        }
        print("Job ID \(id) updated successfully (\(JobTree(root: editor.root).displayPath(entry.path)), status \(entry.job.status.rawValue))")
        if let newKey {
            print("API Key: \(newKey)")
        }
    }
}

struct JobDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a job's file (its history stays until retention).")

    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobsDirOption

    func run() async throws {
        let id = try parseID(id)
        if let client = try options.client() {
            try await client.call(.DELETE, "/api/job/\(id)")
            print("Job ID \(id) deleted successfully")
            return
        }
        let editor = try options.editor
        let path = try editing { () throws(JobEditError) in try editor.delete(id) }
        print("Job ID \(id) deleted successfully (\(JobTree(root: editor.root).displayPath(path)) removed)")
    }
}

struct JobRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate-key", abstract: "Mint a new API key for a job and store its hash.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobsDirOption

    func run() async throws {
        let id = try parseID(id)
        if let client = try options.client() {
            let rotated = try await client.call(.POST, "/api/job/\(id)/rotate-key") as? [String: Any]
            print("Job ID \(id) has a new key")
            print("API Key: \(rotated?["api_key"] as? String ?? "")")
            return
        }
        let key = APIKeyHash.generateKey()
        let editor = try options.editor
        _ = try editing { () throws(JobEditError) in
            try editor.update(id) { job in job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key) }
        }
        print("Job ID \(id) has a new key")
        print("API Key: \(key)")
    }
}

/// One job in `job list --output json`.
struct JobSummary: Encodable {
    var id: String
    var jobName: String
    var host: String
    var status: String
    var thresholdSeconds: Int
    var labels: [String: String]
    var description: String?
    var file: String

    init(entry: CatalogEntry, root: String) {
        id = entry.job.id.description
        jobName = entry.job.jobName
        host = entry.job.host
        status = entry.job.status.rawValue
        thresholdSeconds = entry.job.threshold.seconds
        labels = entry.job.labels
        description = entry.job.description
        file = JobTree(root: root).displayPath(entry.path)
    }

    enum CodingKeys: String, CodingKey {
        case id, host, status, labels, description, file
        case jobName = "job_name"
        case thresholdSeconds = "threshold_seconds"
    }
}

/// Aligned text columns.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

enum JSONText {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }
}
