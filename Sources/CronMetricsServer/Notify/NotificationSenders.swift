import AsyncHTTPClient
import Crypto
import CronMetricsCore
import Foundation
import Mustache
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Delivers one event to one channel and says how it went; never throws
/// (a failure is an outcome). Owns the outgoing HTTP client: redirects are
/// not followed (a webhook that moved is a configuration to fix, answered
/// as a permanent failure), and a refused connection is not retried inside
/// one try (the channel worker's retry policy does that).
final class NotificationSenders: Sendable {
    let connectTimeout: Double
    /// The server's clock: signatures' timestamps, email dates, `Retry-After` dates.
    let now: @Sendable () -> Date
    private var client: HTTPClient { Self.client(connectTimeout: connectTimeout) }

    init(connectTimeout: Double, now: @escaping @Sendable () -> Date) {
        self.connectTimeout = connectTimeout
        self.now = now
    }

    /// Clients live for the process, one per connect timeout, and are never
    /// shut down, like `HTTPClient.shared`: a server uses one, and a client
    /// dropped without `shutdown()` would trap (tests build many servers that
    /// never run their services).
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    private static func client(connectTimeout: Double) -> HTTPClient {
        let millis = Int64(connectTimeout * 1000)
        return clients.withLock { clients in
            if let client = clients[millis] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .milliseconds(millis))
            configuration.redirectConfiguration = .disallow
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.decompression = .disabled
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients[millis] = client
            return client
        }
    }

    /// - Parameters:
    ///   - event: what happened; `payload` is its JSON as stored.
    ///   - timeout: the whole try, connect to answer.
    func send(_ event: NotificationEvent, payload: String, via channel: ChannelDefinition, timeout: Double) async -> DeliveryOutcome {
        do {
            return try await withDeadline(timeout) { [self] in
                switch channel.target {
                case let .webhook(hook): try await post(webhookRequest(hook, event: event, payload: payload), timeout: timeout)
                case let .slack(url): try await post(slackRequest(url, event: event), timeout: timeout)
                case let .pagerduty(pager): try await pagerDuty(pager, event: event, timeout: timeout)
                case let .email(mail): try await email(mail, event: event, channel: channel.name)
                }
            }
        } catch let error as SMTPError {
            // 5xx: refused for good; 4xx and connection trouble: try again.
            if let code = error.code, code >= 500 { return .permanent(status: code, error: error.description) }
            return .retry(status: error.code, error: error.description, retryAfter: nil)
        } catch {
            return .retry(status: nil, error: Self.describe(error), retryAfter: nil)
        }
    }

    // MARK: HTTP channels

    func webhookRequest(_ hook: ChannelDefinition.Webhook, event: NotificationEvent, payload: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: hook.url)
        request.method = HTTPMethod(rawValue: hook.method)
        let body = hook.template.map { $0.render(NotificationContext.make(event)) } ?? payload
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in hook.headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        Self.addCommonHeaders(&request, event: event)
        if let secret = hook.secret {
            // Signed over "<timestamp>.<body>", so a captured message cannot be replayed later unnoticed.
            let timestamp = String(Int(now().timeIntervalSince1970))
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
            request.headers.add(name: "X-Cronmetrics-Timestamp", value: timestamp)
            request.headers.add(name: "X-Cronmetrics-Signature", value: "sha256=" + Hex.encode(mac))
        }
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    func slackRequest(_ url: String, event: NotificationEvent) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        Self.addCommonHeaders(&request, event: event)
        request.body = .bytes(ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: ["text": SlackText.make(event)])) ?? Data()))
        return request
    }

    func pagerDuty(_ pager: ChannelDefinition.PagerDuty, event: NotificationEvent, timeout: Double) async throws -> DeliveryOutcome {
        if event.kind == .test {
            // A test opens an incident of its own and resolves it at once.
            let key = "cronmetrics-test-\(event.eventId)"
            let opened = try await post(pagerDutyRequest(pager, event: event, action: "trigger", dedupKey: key), timeout: timeout)
            guard case .delivered = opened else { return opened }
            return try await post(pagerDutyRequest(pager, event: event, action: "resolve", dedupKey: key), timeout: timeout)
        }
        return try await post(pagerDutyRequest(pager, event: event, action: event.kind == .up ? "resolve" : "trigger",
                                               dedupKey: event.jobId), timeout: timeout)
    }

    func pagerDutyRequest(_ pager: ChannelDefinition.PagerDuty, event: NotificationEvent, action: String, dedupKey: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: pager.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        Self.addCommonHeaders(&request, event: event)
        var body: [String: Any] = ["routing_key": pager.routingKey, "event_action": action, "dedup_key": dedupKey]
        if action == "trigger" {
            var details: [String: Any] = ["status": event.status, "previous_status": event.previousStatus, "labels": event.labels,
                                          "event_id": event.eventId]
            if let run = event.lastRun {
                details["exit_code"] = run.exitCode ?? NSNull()
                details["output"] = run.output ?? ""
            }
            body["payload"] = ["summary": event.summary, "source": event.host, "severity": event.kind == .test ? "info" : pager.severity,
                               "timestamp": RFC3339.format(event.at), "component": event.jobName, "custom_details": details]
            if let url = event.url { body["links"] = [["href": url, "text": "cronmetrics: \(event.jobId)"]] }
        }
        request.body = .bytes(ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()))
        return request
    }

    private func post(_ request: HTTPClientRequest, timeout: Double) async throws -> DeliveryOutcome {
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        var head = try await response.body.collect(upTo: 64 << 10)
        let text = head.readString(length: min(head.readableBytes, 300)) ?? ""
        return DeliveryOutcome.http(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                                    bodyHead: text.replacingOccurrences(of: "\n", with: " "), now: now())
    }

    static func addCommonHeaders(_ request: inout HTTPClientRequest, event: NotificationEvent) {
        request.headers.replaceOrAdd(name: "User-Agent", value: "cronmetrics/\(CronMetricsVersion.current)")
        request.headers.add(name: "X-Cronmetrics-Event-Id", value: event.eventId)
        request.headers.add(name: "X-Cronmetrics-Event", value: event.kind.rawValue)
    }

    // MARK: Email

    private func email(_ mail: ChannelDefinition.Email, event: NotificationEvent, channel: String) async throws -> DeliveryOutcome {
        let message = SMTPMessage(from: mail.from, to: mail.to, subject: "[cronmetrics] \(event.summary)", body: EmailText.make(event),
                                  messageID: "\(event.eventId).\(channel)@cronmetrics", date: now(),
                                  extraHeaders: [("X-Cronmetrics-Event-Id", event.eventId), ("X-Cronmetrics-Event", event.kind.rawValue)])
        try await SMTPClient(mail, connectTimeout: connectTimeout).send(message)
        return .delivered(status: 250)
    }

    /// Runs `body`, giving up after `seconds` (a stalled SMTP server, a receiver that never answers).
    private func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw DeadlineExceeded(seconds: seconds)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw DeadlineExceeded(seconds: seconds) }
            return first
        }
    }

    struct DeadlineExceeded: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "no answer within \(Int(seconds)) s (notifications.timeout)" }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connect timed out (notifications.connect_timeout)"
            case .deadlineExceeded, .readTimeout: return "no answer in time (notifications.timeout)"
            default: return "HTTP client: \(error)"
            }
        }
        return "\(error)"
    }
}
