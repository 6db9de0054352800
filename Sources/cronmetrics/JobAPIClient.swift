import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The job commands' `--server URL` mode: the same operations through a
/// running server's admin API (which writes the files and reloads).
struct JobAPIClient {
    let base: String
    let adminKey: String

    init(server: String, adminKey: String?) throws {
        guard let key = adminKey ?? ProcessInfo.processInfo.environment["CRONMETRICS_ADMIN_KEY"], !key.isEmpty else {
            throw ValidationError("--server needs an admin key: --admin-key or CRONMETRICS_ADMIN_KEY")
        }
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.adminKey = key
    }

    /// Calls the API; prints the server's error and exits 1 on any non-2xx answer.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Any? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(adminKey)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            printError("error: cannot reach \(base): \(error)")
            throw ExitCode.failure
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(buffer: bytes)
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        guard (200..<300).contains(Int(response.status.code)) else {
            let object = json as? [String: Any]
            printError("error: \(object?["error"] as? String ?? "HTTP \(response.status.code)")")
            for detail in object?["errors"] as? [String] ?? [] {
                printError(detail)
            }
            throw ExitCode.failure
        }
        return json
    }

    static func pretty(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return ""
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
