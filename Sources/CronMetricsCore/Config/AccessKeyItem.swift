/// One item of `security.admin_api_keys` or `security.read_api_keys`: a key
/// or `sha256:<hex>` of one, optionally named (`alice:KEY`,
/// `alice:sha256:<hex>`, the form environment variables take; the file may
/// also write `{name: alice, sha256: <hex>}` or `{name: alice, key: KEY}`).
/// Audit rows name the key that made a write; an unnamed key is named by a
/// prefix of its hash, which never moves to another key.
public struct AccessKeyItem: Sendable, Hashable {
    /// nil: unnamed (see ``defaultName(hash:)``).
    public var name: String?
    /// SHA-256 of the key, lowercase hex.
    public var hash: String

    public init(name: String?, hash: String) {
        self.name = name
        self.hash = hash
    }

    /// nil for a blank item.
    public init?(parsing item: String) {
        var text = Substring(item.trimmingCharacters(in: .whitespaces))
        guard !text.isEmpty else { return nil }
        if let colon = text.firstIndex(of: ":"), Self.isName(text[..<colon]), text[..<colon] != "sha256" {
            name = String(text[..<colon])
            text = text[text.index(after: colon)...]
        }
        if text.hasPrefix("sha256:"), APIKeyHash.isValidHex(String(text.dropFirst(7))) {
            hash = String(text.dropFirst(7))
        } else {
            hash = APIKeyHash.sha256Hex(of: String(text))
        }
    }

    /// The name audit rows give this key.
    public var displayName: String { name ?? Self.defaultName(hash: hash) }

    /// An unnamed key's name: `key-` and the first 12 hex digits of its hash.
    public static func defaultName(hash: String) -> String {
        "key-" + hash.prefix(12)
    }

    /// A key name: a letter, then up to 63 letters, digits, `_ . @ -`.
    public static func isName(_ text: Substring) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, scalars.count <= 64, first.isASCII, first.properties.isAlphabetic else { return false }
        return scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.@-".unicodeScalars.contains($0)) }
    }
}
