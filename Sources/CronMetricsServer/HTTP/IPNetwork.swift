#if canImport(Glibc)
import Glibc
#endif

/// An address range in CIDR form (`10.0.0.0/8`, `fd00::/8`, or one address):
/// the proxies `server.trusted_proxies` names.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's bytes (4 or 16) and how many leading bits count.
    let bytes: [UInt8]
    let prefix: Int

    /// - Returns: nil when `text` is not an address or `address/bits`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = Self.bytes(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            prefix = bits
        }
        self.bytes = bytes
    }

    public var description: String {
        let address = bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : Self.hex(bytes)
        return "\(address)/\(prefix)"
    }

    /// Whether `address` (text, IPv4 or IPv6) lies in this range.
    public func contains(_ address: String) -> Bool {
        guard let other = Self.bytes(address), other.count == bytes.count else { return false }
        var remaining = prefix
        for (mine, theirs) in zip(bytes, other) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// An address's bytes; an IPv4 address written as IPv6 (`::ffff:a.b.c.d`)
    /// as its 4 bytes, so `10.0.0.0/8` matches it.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
