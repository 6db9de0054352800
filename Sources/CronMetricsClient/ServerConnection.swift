import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A server's address and the key a client sends it, and the one way both
/// clients make and send a request: the admin API (``APIClient``) and a cron
/// host's signals (``SignalClient``).
struct ServerConnection: Sendable {
    /// The server's URL, without a trailing slash.
    let base: String
    /// The header the key goes in, and its value.
    let keyHeader: (name: String, value: String)

    init(server: String, keyHeader: (name: String, value: String)) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.keyHeader = keyHeader
    }

    /// Sends `body` (JSON, when given) to `path`; the status and the answer's
    /// bytes (at most `limit`).
    /// - Throws: the client's error when the server cannot be reached.
    func send(_ method: HTTPMethod, _ path: String, json body: Data?, timeout: TimeAmount, limit: Int) async throws -> (status: Int, data: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: keyHeader.name, value: keyHeader.value)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.quick.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: limit)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }
}
