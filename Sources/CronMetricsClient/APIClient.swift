import AsyncHTTPClient
import CronMetricsCore
import Foundation
import NIOCore
import NIOHTTP1

/// Calls a running server's API with an admin key, in the API's own JSON
/// coding (the models the server encodes are the ones decoded here).
public struct APIClient: Sendable {
    let connection: ServerConnection
    public var base: String { connection.base }

    public init(server: String, adminKey: String) {
        connection = ServerConnection(server: server, keyHeader: ("Authorization", "Bearer \(adminKey)"))
    }

    /// What a server answered other than 2xx.
    public struct Failure: Error, Sendable {
        public var status: Int
        public var body: ErrorBody?
        /// The answer as it came, for answers that are not errors (a 502 test result).
        public var data: Data = Data()
    }

    /// Sends a request; decodes a 2xx answer as `Answer`.
    /// - Throws: ``Failure`` for any other status, ``JobEditError/unavailable(_:)`` when unreachable.
    public func send<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: (some Encodable)? = JSONValue?.none,
                                        as: Answer.Type) async throws -> Answer {
        let json = try body.map { try APICoding.encoder.encode($0) }
        let (status, data): (Int, Data)
        do {
            (status, data) = try await connection.send(method, path, json: json, timeout: .seconds(30), limit: 64 << 20)
        } catch {
            throw JobEditError.unavailable("cannot reach \(base): \(error)")
        }
        guard (200..<300).contains(status) else {
            throw Failure(status: status, body: try? APICoding.decoder.decode(ErrorBody.self, from: data), data: data)
        }
        if Answer.self == Empty.self, let empty = Empty() as? Answer { return empty }
        return try APICoding.decoder.decode(Answer.self, from: data)
    }

    /// An answer with no body (204).
    public struct Empty: Decodable, Sendable {
        public init() {}
    }

    /// `text`, percent-encoded for a query value.
    public static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }
}
