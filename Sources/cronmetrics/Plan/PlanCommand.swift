import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import Foundation

/// `cronmetrics plan [DIR] --server URL`: what merging a checkout would do to
/// a running server (SPEC §17). Exit 0 no warnings, 3 warnings, 1 errors (the
/// tree's, as `validate` reports them, or the server's), 2 usage.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a jobs directory would change on a running server, with warnings; exit 3 on warnings.",
        discussion: """
            Compares the checkout with what the server serves now (GET /api/plan-basis; a read-only key is enough): \
            jobs added, removed and changed field by field, and warnings: removing a job that is failing or running, \
            a change under which a job is late at once, a job without a key, a notify channel the server does not have, \
            labels that rename a job's series. --save-basis FILE keeps the server's answer for a runner that cannot reach \
            it; --basis FILE plans against it. Exit 0 no warnings, 3 warnings, 1 errors, 2 usage.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json
    }

    @Argument(help: "The jobs directory.") var directory: String = "jobs.d"
    @Option(help: "The server to compare with, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The admin or read-only key for --server (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?
    @Option(help: "Plan against this saved basis instead of a server.") var basis: String?
    @Option(help: "Save the server's basis to this file (for --basis) and plan nothing.") var saveBasis: String?
    @Option(help: "Output format: text, markdown or json.") var format: Format = .text

    func validate() throws {
        if saveBasis != nil {
            guard server != nil, basis == nil else { throw ValidationError("--save-basis needs --server (and no --basis)") }
        } else if (server == nil) == (basis == nil) {
            throw ValidationError("give exactly one of --server URL and --basis FILE")
        }
    }

    func run() async throws {
        if let saveBasis {
            let fetched = try await fetchBasis()
            let data = try APICoding.encoder.encode(fetched)
            do {
                try AtomicFile.write(Array(data), to: saveBasis)
            } catch {
                printError("error: cannot write \(saveBasis): \(error)")
                throw ExitCode.failure
            }
            print("Saved the basis of \(fetched.jobs.count) job\(fetched.jobs.count == 1 ? "" : "s") from \(server ?? "") to \(saveBasis)")
            return
        }
        var loader = JobTreeLoader(root: directory)
        let load: TreeLoad
        do {
            load = try loader.load()
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        guard let catalog = load.catalog else {
            report(errors: load.errors.map(\.description))
            throw ExitCode.failure
        }
        let (basis, source) = try await loadBasis()
        let plan = JobPlanner.plan(catalog, basis: basis, source: source)
        switch format {
        case .text: print(PlanOutput.text(plan, directory: directory))
        case .markdown: print(PlanOutput.markdown(plan, directory: directory))
        case .json: print(String(decoding: try APICoding.encoder.encode(plan), as: UTF8.self))
        }
        if !plan.warnings.isEmpty { throw ExitCode(3) }
    }

    /// The tree's errors, in the chosen format (a pull request shows why its plan failed).
    private func report(errors: [String]) {
        switch format {
        case .text:
            for error in errors { print(error) }
            print("\(directory): \(errors.count) error\(errors.count == 1 ? "" : "s"); no plan")
        case .markdown:
            print([PlanOutput.marker, "### cronmetrics plan for `\(directory)`", "", "**The tree is invalid; no plan.**", ""]
                .joined(separator: "\n") + "\n" + errors.map { "- \(PlanOutput.code($0))" }.joined(separator: "\n"))
        case .json:
            print(String(decoding: (try? APICoding.encoder.encode(["errors": errors])) ?? Data(), as: UTF8.self))
        }
    }

    private func loadBasis() async throws -> (PlanBasis, String) {
        guard let basis else { return (try await fetchBasis(), server ?? "") }
        guard let data = FileManager.default.contents(atPath: basis) else {
            printError("error: cannot read the basis file \(basis)")
            throw ExitCode.failure
        }
        do {
            return (try APICoding.decoder.decode(PlanBasis.self, from: data), basis)
        } catch {
            printError("error: \(basis) is not a basis saved by `cronmetrics plan --save-basis`: \(error)")
            throw ExitCode.failure
        }
    }

    private func fetchBasis() async throws -> PlanBasis {
        guard let server else { throw ValidationError("--server is required") }
        let key = try serverKey(adminKey, readOnly: true)
        do {
            return try await APIClient(server: server, adminKey: key).send(.GET, "/api/plan-basis", as: PlanBasis.self)
        } catch let failure as APIClient.Failure {
            printError("error: \(server) answered \(failure.status): \(failure.body?.error ?? String(decoding: failure.data.prefix(200), as: UTF8.self))")
            throw ExitCode.failure
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
