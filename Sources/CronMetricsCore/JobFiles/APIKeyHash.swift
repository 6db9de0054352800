import Crypto
import Foundation

/// The lowercase hex SHA-256 of an API key's UTF-8 bytes: what job files store
/// instead of the key (`echo -n "$KEY" | sha256sum` gives the same).
public enum APIKeyHash {
    /// - Returns: 64 lowercase hex characters.
    public static func sha256Hex(of key: String) -> String {
        Hex.encode(SHA256.hash(data: Data(key.utf8)))
    }

    /// Whether `text` has the shape of a stored hash: exactly 64 lowercase hex characters.
    public static func isValidHex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A key chosen by hand must be at least this long: only its unsalted
    /// SHA-256 is stored, in files that sit in git, so a short key could be
    /// found by brute force from the hash. Generated keys have 55 characters.
    public static let minimumCustomKeyLength = 32

    /// Why `key` cannot be a per-job key chosen by hand, or nil when it can.
    public static func customKeyProblem(_ key: String) -> String? {
        if key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            return "an API key must not contain spaces or control characters"
        }
        if key.count < minimumCustomKeyLength {
            return "an API key must be at least \(minimumCustomKeyLength) characters (a generated one has 55); omit it to have one generated"
        }
        if key.utf8.count > 512 { return "an API key may be at most 512 bytes" }
        return nil
    }

    /// A new per-job key: `cm_` followed by the base32 (RFC 4648, no padding) of
    /// 32 random bytes from the system's cryptographic generator: `cm_` and 52
    /// lowercase base32 characters.
    public static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "cm_" + base32(bytes)
    }

    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var out = [UInt8]()
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 {
            out.append(alphabet[(buffer << (5 - bits)) & 31])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
