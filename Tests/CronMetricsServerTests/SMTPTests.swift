import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsServer

/// The email channel against a real SMTP server (Debian's python3-aiosmtpd,
/// `scripts/testing/smtp_server.py`): plain, STARTTLS and implicit TLS, AUTH
/// PLAIN and LOGIN, and the refusals that decide retry or dead letter.
@Suite("Email notifications through a real SMTP server", .serialized)
struct SMTPTests {
    /// One run of the helper; stopped when released.
    final class SMTPServer: Sendable {
        let process: TestProcess
        let port: Int
        let out: String

        private init(process: TestProcess, port: Int, out: String) {
            self.process = process
            self.port = port
            self.out = out
        }

        /// Starts the helper and waits (without blocking a thread of the
        /// test pool) until it listens.
        static func start(_ arguments: [String], out: String) async throws -> SMTPServer {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/testing/smtp_server.py").path
            let process = TestProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script, out] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The helper writes its port to OUT/port once it listens.
            var port: Int?
            for _ in 0..<400 where port == nil {
                port = (try? String(contentsOfFile: "\(out)/port", encoding: .utf8)).flatMap { Int($0) }
                if port == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard let port else {
                process.terminate()
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the SMTP helper did not start (is python3-aiosmtpd installed?)"])
            }
            return SMTPServer(process: process, port: port, out: out)
        }

        deinit {
            // SIGKILL: the test process ignores SIGTERM (service lifecycle), and children inherit that.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// What the helper saw of a message: its envelope, the AUTH user, whether TLS was on.
        struct Meta: Decodable {
            var from: String
            var to: [String]
            var user: String?
            var tls: Bool
        }

        /// The messages accepted so far: the raw message and what the server saw.
        var messages: [(eml: String, meta: Meta)] {
            get throws {
                var found: [(eml: String, meta: Meta)] = []
                var number = 1
                while let data = try? Data(contentsOf: URL(fileURLWithPath: "\(out)/\(number).json")) {
                    let eml = (try? String(contentsOfFile: "\(out)/\(number).eml", encoding: .utf8)) ?? ""
                    found.append((eml, try JSONDecoder().decode(Meta.self, from: data)))
                    number += 1
                }
                return found
            }
        }
    }

    let dir: TempDir

    init() throws {
        dir = try TempDir("cronmetrics-smtp")
        let made = TestProcess()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir.path)/key.pem",
                          "-out", "\(dir.path)/cert.pem", "-days", "1", "-subj", "/CN=localhost",
                          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        made.standardError = FileHandle.nullDevice
        made.standardInput = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
    }

    /// The senders' clock: the message's Date header comes from it.
    static let sentAt = Date(timeIntervalSince1970: 1_800_000_123)

    static let event = NotificationEvent(kind: .down, jobId: "backup@db1", jobName: "backup", host: "db1", labels: ["team": "infra"],
                                         previousStatus: "success", status: "failure", at: Date(timeIntervalSince1970: 1_800_000_000),
                                         lastRun: .init(status: "failure", at: Date(timeIntervalSince1970: 1_800_000_000), exitCode: 2,
                                                        duration: 12, output: "pg_dump: connection refused — ünïcode"),
                                         url: "https://cron.example.com/dashboard/jobs/backup@db1")

    func send(port: Int, security: ChannelDefinition.Email.Security, host: String = "localhost", user: String? = nil,
              password: String? = nil, trust: Bool = true) async -> DeliveryOutcome {
        let mail = ChannelDefinition.Email(host: host, port: port, security: security, username: user, password: password,
                                           from: "cronmetrics@example.com", to: ["ops@example.com", "oncall@example.com"],
                                           caFile: trust ? "\(dir.path)/cert.pem" : nil)
        let channel = ChannelDefinition(name: "mail", target: .email(mail))
        // Generous: the helper is Python, and the suites around it load both cores.
        return await NotificationSenders(connectTimeout: 10, now: { Self.sentAt }).send(Self.event, payload: "", via: channel, timeout: 30)
    }

    @Test("plain SMTP: the message arrives with its subject, body, headers and envelope")
    func plain() async throws {
        let server = try await SMTPServer.start([], out: "\(dir.path)/out")
        let outcome = await send(port: server.port, security: .none, host: "127.0.0.1")
        guard case .delivered(250) = outcome else {
            Issue.record("not delivered: \(outcome)")
            return
        }
        let message = try #require(try server.messages.first)
        #expect(message.meta.to == ["ops@example.com", "oncall@example.com"])
        #expect(message.meta.from == "cronmetrics@example.com" && message.meta.tls == false)
        #expect(message.eml.contains("Subject: [cronmetrics] backup@db1 is DOWN: failure (exit code 2)"))
        #expect(message.eml.contains("X-Cronmetrics-Event-Id: \(Self.event.eventId)"))
        #expect(message.eml.contains("Message-ID: <\(Self.event.eventId).mail@cronmetrics>"))
        #expect(message.eml.contains("Date: Fri, 15 Jan 2027 08:02:03 +0000"), "the date is the server's clock's")
        let body = try #require(message.eml.components(separatedBy: "\r\n\r\n").dropFirst().first)
        let text = String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
        #expect(text.contains("pg_dump: connection refused — ünïcode"), "the body is UTF-8, base64 on the wire")
        #expect(text.contains("https://cron.example.com/dashboard/jobs/backup@db1"))
    }

    @Test("STARTTLS with AUTH PLAIN, implicit TLS with AUTH LOGIN, each trusting the given ca_file")
    func tlsAndAuth() async throws {
        let starttls = try await SMTPServer.start(["--tls", "starttls", "\(dir.path)/cert.pem", "\(dir.path)/key.pem", "--auth", "ops:pa55"],
                                      out: "\(dir.path)/starttls")
        let outcome = await send(port: starttls.port, security: .starttls, user: "ops", password: "pa55")
        #expect(outcome == .delivered(status: 250), "\(outcome)")
        #expect(try starttls.messages.first?.meta.tls == true && starttls.messages.first?.meta.user == "ops")

        let implicit = try await SMTPServer.start(["--tls", "implicit", "\(dir.path)/cert.pem", "\(dir.path)/key.pem", "--auth", "ops:pa55",
                                       "--only-login"], out: "\(dir.path)/implicit")
        let viaIP = await send(port: implicit.port, security: .tls, host: "127.0.0.1", user: "ops", password: "pa55")
        #expect(viaIP == .delivered(status: 250), "\(viaIP)")
        #expect(try implicit.messages.first?.meta.tls == true && implicit.messages.first?.meta.user == "ops")
    }

    @Test("refusals: a wrong password is final (535), 451 is tried again, an untrusted certificate sends nothing")
    func refusals() async throws {
        let auth = try await SMTPServer.start(["--tls", "starttls", "\(dir.path)/cert.pem", "\(dir.path)/key.pem", "--auth", "ops:pa55"],
                                  out: "\(dir.path)/auth")
        let wrong = await send(port: auth.port, security: .starttls, user: "ops", password: "wrong")
        guard case let .permanent(status, error) = wrong else {
            Issue.record("a wrong password must be a permanent failure: \(wrong)")
            return
        }
        #expect(status == 535)
        #expect(!error.contains("wrong"), "the password is never in an error: \(error)")

        let untrusted = await send(port: auth.port, security: .starttls, user: "ops", password: "pa55", trust: false)
        guard case .retry = untrusted else {
            Issue.record("an untrusted certificate is a failure to retry (the operator fixes the trust): \(untrusted)")
            return
        }
        #expect(try auth.messages.isEmpty)

        let busy = try await SMTPServer.start(["--data-reply", "451 4.3.0 try again later"], out: "\(dir.path)/busy")
        let outcome = await send(port: busy.port, security: .none, host: "127.0.0.1")
        guard case let .retry(status, error, _) = outcome else {
            Issue.record("451 must be retried: \(outcome)")
            return
        }
        #expect(status == 451 && error.contains("try again later"))
    }
}
