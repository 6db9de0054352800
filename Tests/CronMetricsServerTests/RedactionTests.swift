import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import CronMetricsServer

@Suite("Redaction, output cap and log lines")
struct RedactionTests {
    @Test("patterns mask secrets before anything is stored; the cap keeps the tail; redact_output stores nothing")
    func redaction() throws {
        var configuration = ServerConfiguration()
        configuration.maxOutputBytes = 20
        configuration.redactPatterns = [try RedactionPattern(#"password=\S+"#), try RedactionPattern(#"ghp_[A-Za-z0-9]+"#)]
        // "ok [REDACTED] token [REDACTED]", then its last 20 bytes.
        #expect(configuration.storedOutput("ok password=hunter2 token ghp_abc123") == "ED] token [REDACTED]")
        #expect(configuration.storedOutput("short") == "short")
        #expect(configuration.storedOutput(nil) == nil)
        configuration.redactOutput = true
        #expect(configuration.storedOutput("anything") == nil)
    }

    @Test("JSON log lines parse, with UTC RFC 3339 time, level, message and metadata")
    func jsonLines() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "t") { label in
            LogFormatter(label: label, level: .debug, format: .json) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "request_id"] = "abc"
        logger.warning("result refused", metadata: ["job": "backup", "host": "db1", "reason": "say \"no\"\nplease"])
        logger.trace("not shown")
        let captured = lines.withLock { $0 }
        #expect(captured.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(captured[0].utf8)) as? [String: String])
        #expect(object["level"] == "warning")
        #expect(object["msg"] == "result refused")
        #expect(object["request_id"] == "abc")
        #expect(object["job"] == "backup")
        #expect(object["reason"] == "say \"no\"\nplease")
        let time = try #require(object["ts"])
        #expect(time.hasSuffix("Z") && time.count == 24)
        #expect(RFC3339.parse(time) != nil)
    }

    @Test("text log lines are key=value with quoting where needed")
    func textLines() {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "t") { label in
            LogFormatter(label: label, level: .info, format: .text) { line in lines.withLock { $0.append(line) } }
        }
        logger.info("jobs reloaded", metadata: ["jobs": "4", "file": "a b.yaml"])
        let line = lines.withLock { $0.first ?? "" }
        #expect(line.hasPrefix("ts=20"))
        #expect(line.hasSuffix(#" level=info msg="jobs reloaded" file="a b.yaml" jobs=4"# + "\n"))
    }

    @Test("a submission's output is redacted and capped as configured", arguments: StoreBackend.allCases)
    func submissionRedacted(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let app = try await fixture.app { $0.redactPatterns = [try RedactionPattern(#"password=\S+"#)] }
        try await app.test(.router) { client async throws in
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","exit_code":1,"output":"login password=hunter2 failed"}"#, key: "key-a").0 == .created)
            let history = try await client.execute(uri: "/api/job/a@web1/results", method: .get, headers: ServerFixture.admin) { String(buffer: $0.body) }
            #expect(history.contains(#""output":"login [REDACTED] failed""#))
            #expect(!history.contains("hunter2"))
        }
    }
}
