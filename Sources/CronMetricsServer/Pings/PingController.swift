import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Healthchecks' ping API, same paths and answers, so its clients and
/// snippets work by changing the base URL: `/ping/{key}` (success),
/// `/start`, `/fail`, `/log` (output only), `/{0-255}` (an exit status);
/// GET, HEAD or POST with any content type; `?rid=` a run id; the body is the
/// output. `200 OK`, or `404 not found` for an unknown key. The key in the URL
/// is a secret: log lines show the path without it.
struct PingController {
    let intake: SignalIntake

    enum Action: Equatable {
        case success, start, fail, log
        case exit(Int)

        init?(_ text: String?) {
            switch text {
            case nil: self = .success
            case "start": self = .start
            case "fail": self = .fail
            case "log": self = .log
            case let text?:
                guard let code = Int(text), (0...255).contains(code), String(code) == text else { return nil }
                self = .exit(code)
            }
        }
    }

    /// The answer to a ping whose key several jobs share (`validate` warns of it).
    static let sharedKey = "this key belongs to several jobs, so a ping URL cannot name one: give each job its own key (cronmetrics job rotate-key ID); JSON submissions, which name the job, work"

    func addRoutes(to router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .head, .post] {
            router.on("/ping/{key}", method: method) { request, context in
                await ping(request, context: context, action: nil)
            }
            router.on("/ping/{key}/{action}", method: method) { request, context in
                await ping(request, context: context, action: context.parameters.get("action"))
            }
        }
    }

    func ping(_ request: Request, context: AppRequestContext, action text: String?) async -> Response {
        do {
            try await intake.counted(context.logger) { try await accept(request, context: context, action: text) }
            return Self.text(.ok, "OK", request)
        } catch {
            let apiError = APIError(error)
            switch apiError.status {
            case .unauthorized, .forbidden, .notFound: return Self.text(.notFound, "not found", request)
            case .conflict: return Self.text(.conflict, apiError.message == Self.sharedKey ? Self.sharedKey : "job is retired", request)
            case .badRequest, .unprocessableContent: return Self.text(.badRequest, apiError.message, request)
            default: return Self.text(apiError.status, "unavailable; retry", request)
            }
        }
    }

    private func accept(_ request: Request, context: AppRequestContext, action text: String?) async throws {
        let keyHash = try intake.knownKeyHash(context.parameters.get("key"))
        let job: Job
        switch intake.state.owner(ofKeyHash: keyHash) {
        case .none: throw APIError(.unauthorized, "unknown API key")
        case .shared: throw APIError(.conflict, Self.sharedKey)
        case let .job(owner): job = owner
        }
        guard let action = Action(text) else { throw APIError(.notFound, "no such ping") }
        var runID: String?
        if let rid = request.uri.queryParameters["rid"] {
            guard RunIdentifier.isValid(String(rid)) else { throw APIError(.badRequest, "invalid rid") }
            runID = String(rid)
        }
        do {
            _ = try intake.job(job.id, keyHash: keyHash)
            if action == .start {
                _ = try await intake.start(job.id, runID: runID, logger: context.logger)
                return
            }
            let output = try await Self.bodyTail(request, keeping: intake.configuration.maxOutputBytes)
            let status: RunStatus, exitCode: Int?
            switch action {
            case .success: (status, exitCode) = (.success, nil)
            case .fail: (status, exitCode) = (.failure, nil)
            case .log: (status, exitCode) = (.log, nil)
            case let .exit(code): (status, exitCode) = (code == 0 ? .success : .failure, code)
            case .start: return
            }
            let now = intake.now()
            _ = try await intake.store(JobResult(jobID: job.id, receivedAt: now, status: status, exitCode: exitCode,
                                                 output: output, runID: runID), logger: context.logger)
        } catch {
            throw error.about(job.id)
        }
    }

    /// The request body's last `limit` bytes (a ping's output is a log's end),
    /// read as it streams: a long body is cut, never refused.
    static func bodyTail(_ request: Request, keeping limit: Int) async throws -> String? {
        var tail: [UInt8] = []
        for try await chunk in request.body {
            tail.append(contentsOf: chunk.readableBytesView)
            if tail.count > 2 * limit + 4096 { tail.removeFirst(tail.count - limit - 4) }
        }
        if tail.count > limit + 4 { tail.removeFirst(tail.count - limit - 4) }
        return tail.isEmpty ? nil : String(decoding: tail, as: UTF8.self)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, _ request: Request) -> Response {
        let buffer = request.method == .head ? ByteBuffer() : ByteBuffer(string: body)
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}
