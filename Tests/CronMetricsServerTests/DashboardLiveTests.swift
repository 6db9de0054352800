import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// The dashboard on a real socket: sign-in attempts sent together, the
/// client address behind a proxy, and live streams under their caps.
@Suite("Dashboard on a live server", .serialized)
struct DashboardLiveTests {
    /// The sign-in form's cookie and token, fetched once and reused.
    static func signInForm(_ client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let browser = Browser()
        _ = try await browser.execute(client, "/dashboard/signin")
        let nonce = try #require(browser.cookies[SessionSigner.signInCookieName])
        return ("\(SessionSigner.signInCookieName)=\(nonce)", try #require(browser.csrf))
    }

    static func signInArguments(_ form: (cookie: String, csrf: String), key: String, forwardedFor: String? = nil) -> [String] {
        var arguments = ["-b", form.cookie, "--data-urlencode", "csrf=\(form.csrf)", "--data-urlencode", "key=\(key)"]
        if let forwardedFor { arguments += ["-H", "X-Forwarded-For: \(forwardedFor)"] }
        return arguments
    }

    @Test("300 wrong keys sent at once from one address: exactly 10 are tried, 290 wait (429)")
    func concurrentSignIns() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.live) { client in
            let form = try await Self.signInForm(client)
            let url = "http://localhost:\(try #require(client.port))/dashboard/signin"
            let statuses = try await Curl.parallel(300, url: url, arguments: Self.signInArguments(form, key: "guess"))
            #expect(statuses == [401: 10, 429: 290])
        }
    }

    @Test("behind a trusted proxy each X-Forwarded-For client has its own count; from an untrusted peer the header is ignored")
    func trustedProxies() async throws {
        let fixture = try await ServerFixture()
        let loopback = [IPNetwork("127.0.0.1")!, IPNetwork("::1")!]
        try await fixture.app { $0.clientAddress = ClientAddress(trustedProxies: loopback) }.test(.live) { client in
            let form = try await Self.signInForm(client)
            let url = "http://localhost:\(try #require(client.port))/dashboard/signin"
            let first = try await Curl.parallel(11, url: url, arguments: Self.signInArguments(form, key: "guess", forwardedFor: "203.0.113.1"))
            #expect(first == [401: 10, 429: 1])
            // Another client behind the same proxy, and a forged left-hand entry that changes nothing.
            let second = try await Curl.parallel(3, url: url, arguments: Self.signInArguments(form, key: "guess", forwardedFor: "203.0.113.2"))
            #expect(second == [401: 3])
            let forged = try await Curl.parallel(1, url: url, arguments: Self.signInArguments(form, key: "guess", forwardedFor: "203.0.113.2, 203.0.113.1"))
            #expect(forged == [429: 1], "the rightmost untrusted hop is the client")
        }
        try await fixture.app().test(.live) { client in
            let form = try await Self.signInForm(client)
            let url = "http://localhost:\(try #require(client.port))/dashboard/signin"
            #expect(try await Curl.parallel(10, url: url, arguments: Self.signInArguments(form, key: "guess", forwardedFor: "203.0.113.1")) == [401: 10])
            #expect(try await Curl.parallel(1, url: url, arguments: Self.signInArguments(form, key: "guess", forwardedFor: "203.0.113.9")) == [429: 1],
                    "no trusted proxy: the header is not read, the peer is the client")
        }
    }

    @Test("live streams: capped per session (429) and in all (503); submissions, pings and /metrics still answer; a sign-out or a removed key ends them")
    func streamCaps() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let reader = "stream-reader-key"
        let components = try await fixture.components {
            $0.connectionLimits.maxConnections = 32  // a quarter: 8 streams in all
            $0.dashboard.maxStreamsPerSession = 3
            $0.readKeyHashes = [APIKeyHash.sha256Hex(of: reader)]
        }
        #expect(components.dashboardFeed.limits.total == 8)
        let admin = components.sessionSigner.issue(keyHash: APIKeyHash.sha256Hex(of: ServerFixture.adminKey), now: fixture.clock.now)
        let read = components.sessionSigner.issue(keyHash: APIKeyHash.sha256Hex(of: reader), now: fixture.clock.now)
        let read2 = components.sessionSigner.issue(keyHash: APIKeyHash.sha256Hex(of: reader), now: fixture.clock.now)
        try await buildApplication(components).test(.live) { client in
            let url = "http://localhost:\(try #require(client.port))/dashboard/events"
            func open(_ session: String) throws -> Curl.Stream {
                try Curl.Stream(url, cookie: "\(SessionSigner.cookieName)=\(session)", folder: fixture.root)
            }
            func waitForStreams(_ count: Int) async throws {
                for _ in 0..<200 where components.dashboardFeed.count != count { try await Task.sleep(for: .milliseconds(25)) }
                #expect(components.dashboardFeed.count == count)
            }
            var adminStreams = try (0..<3).map { _ in try open(admin) }
            try await waitForStreams(3)
            #expect(try await open(admin).end(within: 5) == 429, "a fourth stream of one session")
            var readStreams = try (0..<3).map { _ in try open(read) }
            try await waitForStreams(6)
            readStreams += try (0..<2).map { _ in try open(read2) }
            try await waitForStreams(8)
            #expect(try await open(read2).end(within: 5) == 503, "a ninth stream in all")
            #expect(adminStreams.allSatisfy { $0.finished == nil } && readStreams.allSatisfy { $0.finished == nil },
                    "\(adminStreams.map(\.finished)) \(readStreams.map(\.finished))")
            // Everything else still answers while every stream place is taken.
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ping/key-a", method: .get) { #expect($0.status == .ok) }
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
            // A sign-out ends that session's streams, and gives their places back.
            let session = try #require(components.sessionSigner.session(
                Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: [.cookie: "\(SessionSigner.cookieName)=\(admin)"]),
                        body: .init(buffer: ByteBuffer())),
                keys: components.runtime.keys, now: fixture.clock.now))
            components.sessionSigner.signOut(session, now: fixture.clock.now)
            for stream in adminStreams { #expect(try await stream.end(within: 5) == 200, "the signed-out session's stream ended") }
            try await waitForStreams(5)
            adminStreams = [try open(read2)]
            try await waitForStreams(6)
            #expect(try await open(read2).end(within: 5) == 429)
            // The reader's key taken out of the configuration ends its streams.
            var snapshot = components.runtime.snapshot
            snapshot.readKeyHashes = []
            components.runtime.replace(snapshot)
            for stream in readStreams + adminStreams { #expect(try await stream.end(within: 5) == 200, "the removed key's stream ended") }
            try await waitForStreams(0)
        }
    }

    @Test("a refused stream's connection is closed by the server, so its place is free at once")
    func refusedStreamClosed() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.live) { client in
            let port = try #require(client.port)
            let (head, closed) = try await Self.exchange(port: port, "GET /dashboard/events HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 401"))
            #expect(head.lowercased().contains("connection: close"))
            #expect(closed, "the server closed the connection after its answer")
            let (kept, keptClosed) = try await Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(kept.hasPrefix("HTTP/1.1 200"))
            #expect(!keptClosed, "an ordinary answer keeps the connection")
        }
    }

    /// Sends `request` on a new connection to 127.0.0.1:`port`; the answer's
    /// first bytes, and whether the server closed within 3 s after them.
    static func exchange(port: Int, _ request: String) async throws -> (String, Bool) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return continuation.resume(throwing: POSIXError(.ECONNREFUSED)) }
                var timeout = timeval(tv_sec: 3, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                _ = request.withCString { send(fd, $0, strlen($0), 0) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                let head = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
                let next = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: (head, next == 0))
            }.start()
        }
    }
}
