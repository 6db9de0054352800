import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import Foundation

/// `cronmetrics stats [ID] [--window 30d] [--label k=v] [--group-by k]`:
/// one job's statistics, or the filtered jobs' overall and per label value,
/// read from a running server (an admin or read-only key).
struct StatsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show statistics (the default: `cronmetrics stats ID`).")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Argument(help: "A job (job_name@host); without it, every job the filters select.") var id: String?
    @Option(help: "24h, 7d, 30d, 90d (any number of hours or days up to 400d).") var window: String?
    @Option(help: "Start of a from/to window (RFC 3339).") var from: String?
    @Option(help: "End of a from/to window (RFC 3339; default now).") var to: String?
    @Option(help: "Only jobs with this label, name=value (repeatable; without an ID).") var label: [String] = []
    @Option(help: "One row per value of this label (without an ID).") var groupBy: String?
    @Option(help: "table or json.") var output: Output = .table
    @Option(help: "The server, e.g. http://127.0.0.1:8080 (default: $CRONMETRICS_SERVER).") var server: String?
    @Option(help: "An admin or read-only key (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?

    func validate() throws {
        if id != nil, !label.isEmpty || groupBy != nil { throw ValidationError("--label and --group-by are for many jobs, not with an ID") }
        if window != nil, from != nil || to != nil { throw ValidationError("give --window or --from/--to, not both") }
        if let id, JobID(id) == nil { throw ValidationError("\(id) is not a job id (job_name@host)") }
        _ = try JobFilter.labels(label)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let server = server ?? environment["CRONMETRICS_SERVER"], !server.isEmpty else {
            throw ValidationError("stats reads a running server: --server URL (or CRONMETRICS_SERVER)")
        }
        let key = try serverKey(adminKey, readOnly: true)
        let client = APIClient(server: server, adminKey: key)
        var query: [(String, String)] = []
        if let window { query.append(("window", window)) }
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        do {
            if let id {
                let statistics = try await client.send(.GET, "/api/job/\(id)/stats" + APIClient.query(query), as: JobStatistics.self)
                print(output == .json ? JSONText.encode(statistics) : Self.describe(statistics, title: id))
            } else {
                query += label.map { ("label", $0) }
                if let groupBy { query.append(("group_by", groupBy)) }
                let report = try await client.send(.GET, "/api/stats" + APIClient.query(query), as: StatsReport.self)
                print(output == .json ? JSONText.encode(report) : Self.describe(report))
            }
        } catch let failure as APIClient.Failure {
            printError("error: \(failure.body?.error ?? "HTTP \(failure.status)")")
            throw ExitCode.failure
        } catch let error as JobEditError {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    static func describe(_ s: JobStatistics, title: String) -> String {
        var rows: [[String]] = [
            ["runs", "\(s.runs)"], ["successes", "\(s.successes)"], ["failures", "\(s.failures)"],
            ["missed deadlines", "\(s.missedDeadlines)"], ["timeouts", "\(s.timeouts)"],
            ["success ratio", percent(s.successRatio)], ["uptime ratio", percent(s.uptimeRatio)],
            ["duration p50 / p95 / p99", [s.duration.p50, s.duration.p95, s.duration.p99].map(seconds).joined(separator: " / ")],
            ["duration max", seconds(s.duration.max)],
            ["outages", "\(s.outages)"], ["longest outage", seconds(s.longestOutageSeconds)],
            ["mean time between failures", seconds(s.meanTimeBetweenFailuresSeconds)],
        ]
        if let streak = s.currentStreak {
            rows.append(["current streak", "\(streak.runs) \(streak.status == "success" ? "successful" : "failed") run\(streak.runs == 1 ? "" : "s")"
                         + (streak.since.map { " since \(RFC3339.format($0))" } ?? "")])
        }
        return "\(title) over \(span(s.window))\n\n" + Table.render(rows)
    }

    static func describe(_ report: StatsReport) -> String {
        var rows = [[report.groupBy.map { $0.uppercased() } ?? "", "JOBS", "RUNS", "SUCCESS", "UPTIME", "P95", "LONGEST OUTAGE"]]
        func row(_ name: String, _ s: JobStatistics) -> [String] {
            [name, "\(s.jobs ?? 0)", "\(s.runs)", percent(s.successRatio), percent(s.uptimeRatio), seconds(s.duration.p95),
             seconds(s.longestOutageSeconds)]
        }
        for group in report.groups ?? [] { rows.append(row(group.value ?? "(none)", group.statistics)) }
        rows.append(row("all", report.overall))
        return "\(report.overall.jobs ?? 0) job\(report.overall.jobs == 1 ? "" : "s") over \(span(report.overall.window))\n\n" + Table.render(rows)
    }

    static func span(_ window: JobStatistics.Window) -> String {
        "\(window.name.map { "\($0) " } ?? "")(\(RFC3339.format(window.from)) to \(RFC3339.format(window.to)))"
    }

    static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "-" }
        return String(format: "%.2f%%", ratio * 100)
    }

    /// `0.42s`, `12.3s`, `4m 5s`, `3h 20m`, `2d 4h`.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value < 60 { return value < 10 ? String(format: "%.2fs", value) : String(format: "%.1fs", value) }
        let whole = Int(value.rounded())
        let (d, h, m, s) = (whole / 86_400, whole % 86_400 / 3_600, whole % 3_600 / 60, whole % 60)
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m" }
        return "\(m)m \(s)s"
    }
}
