import Crypto
import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// Notifications through a running server to real receivers: the dispatcher,
/// the senders and the outbox together. The test clock decides when a retry
/// is due, so the tests move it instead of waiting out a backoff.
@Suite("Notification delivery to real receivers")
struct NotificationDeliveryTests {
    static func webhook(_ name: String, url: String, secret: String? = nil, template: String? = nil,
                        concurrency: Int = 4) throws -> ChannelDefinition {
        ChannelDefinition(name: name, target: .webhook(.init(url: url, method: "POST", headers: [("X-Team", "infra")],
                                                             template: try template.map { try NotificationTemplate.compile($0, json: true) },
                                                             secret: secret)),
                          concurrency: concurrency, source: "test", secretSources: secret == nil ? [] : ["secret"])
    }

    /// The configuration of these tests: quick polls, small retry steps.
    static func notifying(_ channels: [ChannelDefinition], maxAttempts: Int = 5, cap: Double = 1, timeout: Double = 5,
                          repeatInterval: Double? = nil) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.notifications = NotificationSettings(
                channels: channels, defaultChannels: [channels[0].name], repeatInterval: repeatInterval,
                retry: RetryPolicy(base: 1, cap: cap, maxAttempts: maxAttempts, maxAge: 86_400), timeout: timeout, connectTimeout: 1,
                externalURL: "https://cron.example.com")
            configuration.notifyPollInterval = .milliseconds(20)
            configuration.announceInterval = .milliseconds(50)
        }
    }

    /// Turns the job down: a success, then a failure with output.
    static func fail(_ client: some TestClientProtocol, _ name: String, output: String = "disk full") async throws {
        #expect(try await client.submit(#"{"job_name":"\#(name)","host":"web1","status":"success"}"#, key: "key-\(name)").0 == .created)
        let body = try String(decoding: JSONSerialization.data(withJSONObject: [
            "job_name": name, "host": "web1", "status": "failure", "exit_code": 3, "output": output,
        ]), as: UTF8.self)
        #expect(try await client.submit(body, key: "key-\(name)").0 == .created)
    }

    static func notifications(_ client: some TestClientProtocol, _ query: String = "") async throws -> [NotificationRecord] {
        try await client.reply(NotificationPage.self, .get, "/api/notifications\(query)", headers: ServerFixture.admin).1.notifications
    }

    @Test("a webhook that fails twice gets the event a third time: same event id, signed, counted", arguments: StoreBackend.allCases)
    func retriedUntilDelivered(_ backend: StoreBackend) async throws {
        let receiver = try await Receiver.start { $0 < 2 ? Receiver.Answer(status: .serviceUnavailable, body: "busy") : .ok }
        let fixture = try await ServerFixture(backend, jobs: "nightly", extra: "notify: [ops]")
        let app = try await fixture.app(Self.notifying([Self.webhook("ops", url: receiver.url, secret: "s3cret")]))
        try await app.test(.live) { client in
            let failedAt = fixture.clock.now.timeIntervalSince1970
            try await Self.fail(client, "nightly")
            // A wait, not a speed check: under the whole suite's load the three tries take longer than alone.
            let received = try await receiver.wait(for: 3, timeout: .seconds(60)) { fixture.clock.advance(2) }
            #expect(received.count == 3)
            let ids = Set(received.compactMap { $0.header("X-Cronmetrics-Event-Id") })
            #expect(ids.count == 1, "every try carries the same event id")
            let last = try #require(received.last)
            #expect(last.header("X-Cronmetrics-Event") == "down")
            #expect(last.header("X-Team") == "infra")
            // Signed with the server's clock (the test's, in 2027), not the machine's.
            let signedAt = try #require(last.header("X-Cronmetrics-Timestamp").flatMap(Double.init))
            // (How far the test's clock ran on while the receiver was polled depends on the machine's load: bound it by the failure.)
            #expect(signedAt >= failedAt && signedAt <= fixture.clock.now.timeIntervalSince1970)
            #expect(last.header("Content-Type") == "application/json")
            let event = try last.event
            #expect(event.eventId == ids.first)
            #expect(event.jobId == "nightly@web1")
            #expect(event.kind == .down && event.status == "failure")
            #expect(event.previousStatus == "success")
            #expect(event.url == "https://cron.example.com/dashboard/jobs/nightly@web1")
            let run = try #require(event.lastRun)
            #expect(run.exitCode == 3 && run.output == "disk full")

            // The signature: HMAC-SHA256 over "<timestamp>.<body>", as docs/notifications.md shows receivers.
            let timestamp = try #require(last.header("X-Cronmetrics-Timestamp"))
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(last.body)".utf8), using: SymmetricKey(data: Data("s3cret".utf8)))
            #expect(last.header("X-Cronmetrics-Signature") == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())

            #expect(try await client.eventually { client in
                try await Self.notifications(client).first?.state == "delivered"
            })
            let row = try #require(try await Self.notifications(client).first)
            #expect(row.attempts == 3 && row.lastStatus == 200)
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"cronmetrics_notifications_total{channel="ops",outcome="retried"} 2"#))
            #expect(metrics.contains(#"cronmetrics_notifications_total{channel="ops",outcome="delivered"} 1"#))
            #expect(metrics.contains(#"cronmetrics_notification_delivery_seconds_count{channel="ops"} 1"#), "time from queueing to delivery")
        }
        receiver.stop()
    }

    @Test("a receiver that always fails: dead after max_attempts; 410 is dead at once with its answer", arguments: StoreBackend.allCases)
    func deadLetters(_ backend: StoreBackend) async throws {
        let failing = try await Receiver.start { _ in Receiver.Answer(status: .internalServerError, body: "boom") }
        let gone = try await Receiver.start { _ in Receiver.Answer(status: .gone, body: "this hook was deleted") }
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("a", extra: "notify: [flaky]")
        try fixture.addJob("b", extra: "notify: [gone]")
        let app = try await fixture.app(Self.notifying([Self.webhook("flaky", url: failing.url), Self.webhook("gone", url: gone.url)],
                                                       maxAttempts: 3))
        try await app.test(.live) { client in
            try await Self.fail(client, "a")
            try await Self.fail(client, "b")
            try await failing.wait(for: 3) { fixture.clock.advance(2) }
            #expect(try await client.eventually { client in try await Self.notifications(client, "?state=dead").count == 2 })
            // More time changes nothing: dead is final.
            fixture.clock.advance(3600)
            try await Task.sleep(for: .milliseconds(200))
            #expect(failing.received.count == 3)
            #expect(gone.received.count == 1, "410 is not retried")
            let dead = try await Self.notifications(client, "?state=dead")
            let byChannel = Dictionary(uniqueKeysWithValues: dead.map { ($0.channel, $0) })
            #expect(byChannel["flaky"]?.attempts == 3)
            #expect(byChannel["flaky"]?.lastStatus == 500)
            #expect(byChannel["gone"]?.attempts == 1)
            #expect(byChannel["gone"]?.lastError?.contains("this hook was deleted") == true)
            #expect(try await client.eventually { client in
                try await client.metrics().contains(#"cronmetrics_notifications_queued{channel="flaky",state="dead"} 1"#)
            })
            #expect(try await client.metrics().contains(#"cronmetrics_notifications_total{channel="gone",outcome="dead"} 1"#))
        }
        failing.stop()
        gone.stop()
    }

    @Test("a receiver that does not answer in time is retried; 429 waits as long as Retry-After says", arguments: StoreBackend.allCases)
    func slowAndThrottled(_ backend: StoreBackend) async throws {
        // The timeout leaves room for a loaded machine (both backends' suites
        // run in parallel): the throttled receiver must answer within it.
        let slow = try await Receiver.start { $0 == 0 ? Receiver.Answer(status: .ok, delay: .seconds(6)) : .ok }
        let throttled = try await Receiver.start { $0 == 0 ? Receiver.Answer(status: .tooManyRequests, headers: [.retryAfter: "120"]) : .ok }
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("a", extra: "notify: [slow]")
        try fixture.addJob("b", extra: "notify: [throttled]")
        let app = try await fixture.app(Self.notifying([Self.webhook("slow", url: slow.url), Self.webhook("throttled", url: throttled.url)],
                                                       cap: 600, timeout: 4))
        try await app.test(.live) { client in
            try await Self.fail(client, "a")
            try await Self.fail(client, "b")
            // A wait for both first tries (the slow one ends at the 4 s timeout, before its 6 s answer).
            #expect(try await client.eventually(timeout: .seconds(30)) { client in
                let rows = try await Self.notifications(client)
                return rows.count == 2 && rows.allSatisfy { $0.attempts == 1 && $0.state == "pending" }
            })
            let rows = Dictionary(uniqueKeysWithValues: try await Self.notifications(client).map { ($0.channel, $0) })
            #expect(rows["slow"]?.lastError?.contains("notifications.timeout") == true)
            #expect(rows["throttled"]?.lastStatus == 429)
            let next = try #require(rows["throttled"]?.nextAttemptAt)
            #expect(abs(next.timeIntervalSince(fixture.clock.now) - 120) < 1, "Retry-After: 120 is honoured")
            fixture.clock.advance(60)
            try await Task.sleep(for: .milliseconds(300))
            #expect(throttled.received.count == 1, "not before Retry-After")
            fixture.clock.advance(61)
            #expect(try await client.eventually { client in
                try await Self.notifications(client, "?state=delivered").count == 2
            })
        }
        slow.stop()
        throttled.stop()
    }

    /// What Slack's incoming webhook receives (the field these tests read).
    struct SlackMessage: Decodable {
        var text: String
    }

    /// What PagerDuty's Events API v2 receives: a trigger carries `payload`, a resolve does not.
    struct PagerDutyEvent: Decodable {
        struct Payload: Decodable {
            var summary, source, severity: String
        }

        var routingKey, eventAction, dedupKey: String
        var payload: Payload?

        enum CodingKeys: String, CodingKey {
            case routingKey = "routing_key", eventAction = "event_action", dedupKey = "dedup_key", payload
        }
    }

    @Test("Slack gets text; PagerDuty a trigger keyed by the job and a resolve on recovery", arguments: StoreBackend.allCases)
    func slackAndPagerDuty(_ backend: StoreBackend) async throws {
        let slack = try await Receiver.start()
        let pager = try await Receiver.start { _ in Receiver.Answer(status: .accepted, body: #"{"status":"success"}"#) }
        let fixture = try await ServerFixture(backend, jobs: "backup", extra: "notify: [chat, pager]")
        let channels = [
            ChannelDefinition(name: "chat", target: .slack(url: slack.url), concurrency: 2, source: "test", secretSources: []),
            ChannelDefinition(name: "pager", target: .pagerduty(.init(routingKey: "R0UT1NG", url: pager.url, severity: "critical")),
                              concurrency: 2, source: "test", secretSources: []),
        ]
        let app = try await fixture.app(Self.notifying(channels))
        try await app.test(.live) { client in
            try await Self.fail(client, "backup", output: "tar: <error> & more")
            try await slack.wait(for: 1)
            try await pager.wait(for: 1)
            #expect(try await client.submit(#"{"job_name":"backup","host":"web1","status":"success"}"#, key: "key-backup").0 == .created)
            let chat = try await slack.wait(for: 2)
            let incidents = try await pager.wait(for: 2)
            let text = try #require(chat.first).payload(SlackMessage.self).text
            #expect(text.contains("*backup@web1*") && text.contains("DOWN") && text.contains("exit code 3"))
            #expect(text.contains("tar: &lt;error&gt; &amp; more"), "Slack's own escaping")
            #expect(text.contains("<https://cron.example.com/dashboard/jobs/backup@web1|Open in cronmetrics>"))
            #expect(try chat.last?.payload(SlackMessage.self).text.contains("UP again") == true)
            let trigger = try incidents[0].payload(PagerDutyEvent.self), resolve = try incidents[1].payload(PagerDutyEvent.self)
            #expect(trigger.routingKey == "R0UT1NG" && trigger.eventAction == "trigger")
            #expect(trigger.dedupKey == "backup@web1")
            let payload = try #require(trigger.payload)
            #expect(payload.severity == "critical" && payload.source == "web1")
            #expect(payload.summary.contains("backup@web1 is DOWN"))
            #expect(resolve.eventAction == "resolve" && resolve.dedupKey == "backup@web1")
        }
        slack.stop()
        pager.stop()
    }

    /// The JSON the template of `template()` writes; optional, so that a missing key fails its expectation.
    struct TemplateBody: Decodable {
        var title, job, log, link: String?
    }

    @Test("a body template renders JSON-escaped values: quotes and newlines in the output stay valid JSON", arguments: StoreBackend.allCases)
    func template(_ backend: StoreBackend) async throws {
        let receiver = try await Receiver.start()
        let fixture = try await ServerFixture(backend, jobs: "etl", extra: "notify: [custom]")
        let template = #"{"title": "{{summary}}", "job": "{{job_id}}", "log": "{{last_run.output}}"{{#url}}, "link": "{{url}}"{{/url}}}"#
        let app = try await fixture.app(Self.notifying([Self.webhook("custom", url: receiver.url, template: template)]))
        try await app.test(.live) { client in
            try await Self.fail(client, "etl", output: "line \"one\"\nline\ttwo \\ <three>")
            let received = try await receiver.wait(for: 1)
            let body = try #require(received.first).payload(TemplateBody.self)
            #expect(body.job == "etl@web1")
            #expect(body.log == "line \"one\"\nline\ttwo \\ <three>")
            #expect(body.title == "etl@web1 is DOWN: failure (exit code 3)")
            #expect(body.link == "https://cron.example.com/dashboard/jobs/etl@web1")
        }
        receiver.stop()
    }

    @Test("repeat_interval reminds while the job stays down, and stops when it recovers", arguments: StoreBackend.allCases)
    func repeats(_ backend: StoreBackend) async throws {
        let receiver = try await Receiver.start()
        let fixture = try await ServerFixture(backend, jobs: "a", extra: "notify: [ops]")
        let app = try await fixture.app(Self.notifying([Self.webhook("ops", url: receiver.url)], repeatInterval: 600))
        try await app.test(.live) { client in
            try await Self.fail(client, "a")
            try await receiver.wait(for: 1)
            fixture.clock.advance(601)
            // The reminder comes with the next pass over down jobs: a wait, generous for a loaded machine.
            let reminded = try await receiver.wait(for: 2, timeout: .seconds(30))
            #expect(reminded.count == 2)
            #expect(try reminded.last?.event.repeatCount == 1)
            #expect(reminded.last?.header("X-Cronmetrics-Event-Id") != reminded.first?.header("X-Cronmetrics-Event-Id"),
                    "a reminder is an event of its own")
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
            let after = try await receiver.wait(for: 3)
            #expect(try after.last?.event.kind == .up)
            fixture.clock.advance(1200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.received.count == 3, "no reminder after recovery")
        }
        receiver.stop()
    }

    @Test("cronmetrics_notifications_queued follows the outbox within a second, not at the next housekeeping pass", arguments: StoreBackend.allCases)
    func queuedGaugeFresh(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", extra: "notify: [ops]")
        // A receiver that is not there: the event waits for its retry.
        let app = try await fixture.app {
            Self.notifying([try! Self.webhook("ops", url: "http://127.0.0.1:9/")])(&$0)
            $0.announceInterval = .seconds(3600)
        }
        try await app.test(.live) { client in
            let line = #"cronmetrics_notifications_queued{channel="ops",state="pending"} "#
            #expect(try await client.metrics().contains(line + "0"))
            try await Self.fail(client, "nightly")
            #expect(try await client.eventually(timeout: .seconds(10)) { try await $0.metrics().contains(line + "1") },
                    "the queued event shows without waiting for housekeeping")
        }
    }

    @Test("an outbox the worker cannot read is logged and counted, not swallowed", arguments: StoreBackend.allCases)
    func outboxErrorsCounted(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", extra: "notify: [ops]")
        let logs = LogCapture()
        let app = try await fixture.app(logger: logs.logger, Self.notifying([try Self.webhook("ops", url: "http://127.0.0.1:9/")]))
        try await app.test(.live) { client in
            let line = #"cronmetrics_notification_errors_total{channel="ops"} "#
            #expect(try await client.metrics().contains(line + "0"))
            // Another process breaks the table under the running worker.
            try await fixture.execute("ALTER TABLE notifications RENAME TO notifications_gone")
            #expect(try await client.eventually { try await !$0.metrics().contains(line + "0") }, "errors are counted")
            #expect(logs.contains("notification outbox: could not"))
            // (The log line escapes the quotes PostgreSQL puts around the name.)
            let missing = fixture.backend == .sqlite ? "no such table: notifications" : "does not exist (SQLSTATE 42P01)"
            #expect(logs.all.contains { $0.contains("channel=ops") && $0.contains(missing) })
        }
    }
}
