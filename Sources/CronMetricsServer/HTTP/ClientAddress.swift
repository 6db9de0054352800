import HTTPTypes
import Hummingbird

/// The address a request came from, for limits kept per client (the
/// dashboard's sign-in limiter). Behind a reverse proxy every request comes
/// from the proxy: with the proxy in `server.trusted_proxies`, the client is
/// read from `X-Forwarded-For` instead, from the right, skipping the trusted
/// hops (a client can write anything at the left of that header, never at
/// the right, where each trusted proxy appends what it saw).
public struct ClientAddress: Sendable, Equatable {
    public let trustedProxies: [IPNetwork]

    public init(trustedProxies: [IPNetwork] = []) {
        self.trustedProxies = trustedProxies
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// The client of `request`, which arrived from `peer`.
    func client(_ request: Request, peer: String?) -> String {
        client(peer: peer, forwardedFor: request.headers[values: Self.forwardedFor])
    }

    func client(peer: String?, forwardedFor: [String]) -> String {
        let peer = peer ?? "unknown"
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !isTrusted(hop) {
            // Not an address (a forged or broken header): the proxy is all we know.
            return IPNetwork.bytes(hop) == nil ? peer : hop
        }
        return hops.first.flatMap { IPNetwork.bytes($0) == nil ? nil : $0 } ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
