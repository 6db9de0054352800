import CronMetricsCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one email over SMTP: plain, STARTTLS or implicit TLS, with AUTH
/// PLAIN or LOGIN. Written here because no SMTP package is available to this
/// project; it speaks only what sending a notification needs (RFC 5321 with
/// the STARTTLS and AUTH extensions), one message per connection.
struct SMTPClient: Sendable {
    let channel: ChannelDefinition.Email
    let connectTimeout: TimeAmount
    /// The name this client gives in EHLO.
    let clientName: String

    init(_ channel: ChannelDefinition.Email, connectTimeout: Double, clientName: String = ProcessInfo.processInfo.hostName) {
        self.channel = channel
        self.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        let name = clientName.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        self.clientName = name.isEmpty ? "cronmetrics" : name
    }

    /// Connects, sends `message` and says QUIT.
    /// - Throws: ``SMTPError``.
    func send(_ message: SMTPMessage) async throws(SMTPError) {
        let tls = try makeTLSContext()
        let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let implicitTLS = channel.security == .tls ? tls : nil
            let hostname = Self.sniName(channel.host)
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: channel.host, port: channel.port) { nio in
                    nio.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try nio.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: implicitTLS, serverHostname: hostname))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: nio)
                    }
                }
        } catch {
            throw .connection("cannot connect to \(channel.host):\(channel.port): \(error)")
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound)
                try await converse(&session, message: message, tls: tls, nio: connection.channel)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .connection("\(error)")
        }
    }

    private func converse(_ session: inout Session, message: SMTPMessage, tls: NIOSSLContext?, nio: any Channel) async throws {
        try await session.expect(nil, "greeting")
        var features = try await session.command("EHLO \(clientName)")
        if channel.security == .starttls {
            guard features.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw SMTPError.unsupported("\(channel.host) does not offer STARTTLS, and the channel requires it")
            }
            try await session.command("STARTTLS")
            guard let tls else { throw SMTPError.protocolViolation("no TLS context") }
            try await nio.pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(channel.host)),
                                              position: .first).get()
            features = try await session.command("EHLO \(clientName)")
        }
        if let username = channel.username, let password = channel.password {
            let auth = features.lines.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ") ?? []
            if auth.contains("PLAIN") || !auth.contains("LOGIN") {
                let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await session.command("AUTH PLAIN \(token)", shown: "AUTH PLAIN")
            } else {
                try await session.command("AUTH LOGIN", expecting: 334)
                try await session.command(Data(username.utf8).base64EncodedString(), shown: "AUTH LOGIN (user)", expecting: 334)
                try await session.command(Data(password.utf8).base64EncodedString(), shown: "AUTH LOGIN (password)")
            }
        }
        try await session.command("MAIL FROM:<\(message.from)>")
        for recipient in message.to {
            try await session.command("RCPT TO:<\(recipient)>")
        }
        try await session.command("DATA", expecting: 354)
        try await session.write(message.data())
        try await session.expect(nil, "end of DATA")
        _ = try? await session.command("QUIT")
    }

    private func makeTLSContext() throws(SMTPError) -> NIOSSLContext? {
        guard channel.security != .none else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let caFile = channel.caFile {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .connection("TLS setup: \(error)")
        }
    }

    /// SNI takes names, not addresses: an IP is verified without it.
    static func sniName(_ host: String) -> String? {
        host.contains(":") || host.split(separator: ".").allSatisfy({ Int($0) != nil }) ? nil : host
    }

    /// The conversation's reading and writing, by lines.
    struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var buffer: [UInt8] = []

        mutating func write(_ text: String) async throws {
            try await outbound.write(ByteBuffer(string: text))
        }

        /// Sends a command and reads its reply, which must be positive (or `expecting`).
        @discardableResult
        mutating func command(_ line: String, shown: String? = nil, expecting: Int? = nil) async throws -> SMTPReply {
            try await write(line + "\r\n")
            return try await expect(expecting, shown ?? String(line.prefix(40)))
        }

        @discardableResult
        mutating func expect(_ code: Int?, _ step: String) async throws -> SMTPReply {
            let reply = try await readReply()
            if let code, reply.code != code { throw SMTPError.rejected(command: step, reply: reply) }
            if code == nil, !(200..<300).contains(reply.code) { throw SMTPError.rejected(command: step, reply: reply) }
            return reply
        }

        mutating func readReply() async throws -> SMTPReply {
            var parser = SMTPReply.Parser()
            while true {
                let line = try await readLine()
                if let reply = try parser.add(line) { return reply }
            }
        }

        mutating func readLine() async throws -> String {
            while true {
                if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[..<end])
                    buffer.removeFirst(end + 1)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard buffer.count < 64 << 10 else { throw SMTPError.protocolViolation("reply line too long") }
                guard let chunk = try await inbound.next() else { throw SMTPError.connection("closed by the server") }
                buffer += chunk.readableBytesView
            }
        }
    }
}
