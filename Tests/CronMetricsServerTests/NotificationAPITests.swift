import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import CronMetricsServer

@Suite("Notification API and configuration reload")
struct NotificationAPITests {
    /// A call with the admin key (or `headers`), its reply decoded as `Model`.
    func call<Model: Decodable>(_ client: some TestClientProtocol, _ model: Model.Type, _ method: HTTPRequest.Method, _ uri: String,
                                headers: HTTPFields = ServerFixture.admin) async throws -> (HTTPResponse.Status, Model) {
        try await client.reply(model, method, uri, headers: headers)
    }

    /// The status alone of a call with the admin key (or `headers`).
    func status(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
                headers: HTTPFields = ServerFixture.admin) async throws -> HTTPResponse.Status {
        try await client.execute(uri: uri, method: method, headers: headers) { $0.status }
    }

    @Test("dead letters listed, requeued one by one or in bulk, deleted; only dead ones; test messages 200 or 502", arguments: StoreBackend.allCases)
    func deadLetterAPI(_ backend: StoreBackend) async throws {
        let receiver = try await Receiver.start { _ in Receiver.Answer(status: .internalServerError, body: "down for maintenance") }
        let fixture = try await ServerFixture(backend)
        for name in ["a", "b", "c"] { try fixture.addJob(name, extra: "notify: [ops]") }
        let app = try await fixture.app(NotificationDeliveryTests.notifying([try NotificationDeliveryTests.webhook("ops", url: receiver.url)],
                                                                            maxAttempts: 1))
        try await app.test(.live) { client in
            #expect(try await status(client, .get, "/api/notifications", headers: [:]) == .unauthorized)
            #expect(try await status(client, .post, "/api/notifications/test?channel=ops", headers: [:]) == .unauthorized)
            for name in ["a", "b", "c"] { try await NotificationDeliveryTests.fail(client, name) }
            #expect(try await client.eventually { client in
                try await call(client, NotificationPage.self, .get, "/api/notifications?state=dead").1.notifications.count == 3
            })
            let (_, page) = try await call(client, NotificationPage.self, .get, "/api/notifications?state=dead&job=a@web1")
            let row = try #require(page.notifications.first)
            let id = row.id
            #expect(row.lastError == "gave up after 1 attempt(s): HTTP 500: down for maintenance")
            #expect(try await call(client, NotificationRecord.self, .get, "/api/notifications/\(id)").1.eventId == row.eventId)
            #expect(try await status(client, .get, "/api/notifications/999999") == .notFound)
            #expect(try await call(client, ErrorBody.self, .get, "/api/notifications?state=lost").1.field == "state")
            #expect(try await call(client, ErrorBody.self, .get, "/api/notifications?limit=0").1.field == "limit")

            // The receiver is back: a requeued letter goes out again, from attempt 0.
            receiver.answer { _ in .ok }
            let (requeuedStatus, requeued) = try await call(client, NotificationRecord.self, .post, "/api/notifications/\(id)/requeue")
            #expect(requeuedStatus == .ok && requeued.state == "pending" && requeued.attempts == 0)
            #expect(try await client.eventually { client in
                try await call(client, NotificationRecord.self, .get, "/api/notifications/\(id)").1.state == "delivered"
            })
            #expect(try await status(client, .post, "/api/notifications/\(id)/requeue") == .conflict, "only dead letters are requeued")
            #expect(try await status(client, .delete, "/api/notifications/\(id)") == .conflict, "only dead letters are deleted")

            // One deleted, the rest requeued in bulk.
            let (_, dead) = try await call(client, NotificationPage.self, .get, "/api/notifications?state=dead&job=b@web1")
            let deadID = try #require(dead.notifications.first?.id)
            #expect(try await status(client, .delete, "/api/notifications/\(deadID)") == .noContent)
            #expect(try await status(client, .get, "/api/notifications/\(deadID)") == .notFound)
            #expect(try await call(client, ErrorBody.self, .post, "/api/notifications/requeue?state=pending").1.field == "state")
            #expect(try await call(client, NotificationCount.self, .post, "/api/notifications/requeue?channel=ops").1.count == 1)
            #expect(try await client.eventually { client in
                try await call(client, NotificationPage.self, .get, "/api/notifications?state=delivered").1.notifications.count == 2
            })
            #expect(try await call(client, NotificationCount.self, .delete, "/api/notifications").1.count == 0)

            // A test message: delivered, then refused.
            let (ok, delivered) = try await call(client, NotificationTestResult.self, .post, "/api/notifications/test?channel=ops")
            #expect(ok == .ok && delivered.outcome == "delivered" && delivered.status == 200)
            #expect(receiver.received.last?.header("X-Cronmetrics-Event") == "test")
            receiver.answer { _ in Receiver.Answer(status: .forbidden, body: "bad token") }
            let (bad, failed) = try await call(client, NotificationTestResult.self, .post, "/api/notifications/test?channel=ops")
            #expect(bad == .badGateway && failed.outcome == "failed" && failed.status == 403)
            #expect(failed.error?.contains("bad token") == true)
            #expect(try await status(client, .post, "/api/notifications/test?channel=nope") == .notFound)
            #expect(try await call(client, ErrorBody.self, .post, "/api/notifications/test").1.field == "channel")
        }
        receiver.stop()
    }

    @Test("a reload rotates admin keys and channels without a restart; an invalid file or a channel still in use changes nothing", arguments: StoreBackend.allCases)
    func reloadSettings(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", extra: "notify: [ops]")
        let first = try NotificationDeliveryTests.webhook("ops", url: "http://127.0.0.1:9/")
        let initial = try fixture.configuration(NotificationDeliveryTests.notifying([first]))
        let next = Mutex<Result<ServerConfiguration, ConfigError>>(.success(initial))
        let logs = LogCapture()
        let clock = fixture.clock
        let app = try await buildApplication(configuration: initial, logger: logs.logger,
                                             reloadConfiguration: { try next.withLock { $0 }.get() }, now: { clock.now })
        let keyA = ServerFixture.admin
        let keyB: HTTPFields = [.authorization: "Bearer rotated-admin-key"]
        try await app.test(.router) { client in
            // Rotation: key B added, key A gone; a new channel; a setting that needs a restart.
            var rotated = initial
            rotated.adminKeyHashes = [APIKeyHash.sha256Hex(of: "rotated-admin-key")]
            rotated.notifications.channels["chat"] = ChannelDefinition(name: "chat", target: .slack(url: "http://127.0.0.1:9/"),
                                                                        concurrency: 1, source: "test", secretSources: [])
            rotated.port = 9999
            next.withLock { $0 = .success(rotated) }
            #expect(try await status(client, .post, "/-/reload", headers: keyA) == .ok)
            #expect(try await status(client, .get, "/api/notifications", headers: keyA) == .unauthorized)
            #expect(try await status(client, .get, "/api/notifications", headers: keyB) == .ok)
            #expect(logs.contains("server.listen"), "a setting that needs a restart is named")
            #expect(try await client.metrics().contains("cronmetrics_settings_last_reload_successful 1"))
            // The new channel is usable at once: the test endpoint knows it.
            #expect(try await status(client, .post, "/api/notifications/test?channel=chat", headers: keyB) == .badGateway)

            // An invalid file: refused with its problems, nothing changes.
            next.withLock { $0 = .failure(ConfigError(["cronmetrics.yaml:4:7: 'timeout' must be a duration"])) }
            let (refused, body) = try await call(client, ErrorBody.self, .post, "/-/reload", headers: keyB)
            #expect(refused == .badRequest)
            #expect(body.errors == ["cronmetrics.yaml:4:7: 'timeout' must be a duration"])
            #expect(try await status(client, .get, "/api/notifications", headers: keyB) == .ok)
            #expect(try await client.metrics().contains("cronmetrics_settings_last_reload_successful 0"))

            // Removing a channel that a job file names: refused, naming the file.
            var removed = rotated
            removed.notifications.channels["ops"] = nil
            removed.notifications.defaultChannels = []
            next.withLock { $0 = .success(removed) }
            let (inUse, problems) = try await call(client, ErrorBody.self, .post, "/-/reload", headers: keyB)
            #expect(inUse == .badRequest)
            #expect(problems.errors?.first?.contains("a@web1.yaml: notify names channel 'ops'") == true)
            #expect(try await status(client, .post, "/api/notifications/test?channel=ops", headers: keyB) == .badGateway,
                    "the running channels are kept")
        }
    }
}
