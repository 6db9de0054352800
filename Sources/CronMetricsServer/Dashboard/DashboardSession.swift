import CronMetricsCore
import Crypto
import Foundation
import Hummingbird
import Synchronization

/// A signed-in dashboard user, read from the session cookie.
///
/// The cookie is `v1.<expiry>.<key hash>.<nonce>.<signature>`: HMAC-SHA256
/// with a secret made at start (so a restart signs everybody out), over the
/// rest. It names the key by its SHA-256 (never the key), and what that key
/// may do is looked up again on every request: a key removed from the
/// configuration, or moved from admin to read-only, takes effect at the next
/// click. The CSRF token of its forms is an HMAC of the nonce.
struct DashboardSession: Sendable, Equatable {
    var access: AccessKeys.Access
    var keyHash: String
    var expires: Date
    var nonce: String

    var isAdmin: Bool { access == .admin }
}

/// Makes and checks session cookies and CSRF tokens.
struct SessionSigner: Sendable {
    static let cookieName = "cronmetrics_session"
    /// Before sign-in: a nonce whose HMAC the sign-in form must send back.
    static let signInCookieName = "cronmetrics_signin"
    let key: SymmetricKey
    let ttl: Double
    let secure: Bool

    init(ttl: Double, secure: Bool, key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
        self.ttl = ttl
        self.secure = secure
    }

    /// A new session's cookie value for the key with this hash.
    func issue(keyHash: String, now: Date) -> String {
        let payload = "v1.\(Int64(now.timeIntervalSince1970 + ttl)).\(keyHash).\(Self.randomHex(16))"
        return payload + "." + sign(payload)
    }

    /// The session in `request`'s cookie, if it is ours, unexpired, and its
    /// key is still configured.
    func session(_ request: Request, keys: AccessKeys, now: Date) -> DashboardSession? {
        guard let value = request.cookies[Self.cookieName]?.value else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "v1", let expiry = Int64(parts[1]) else { return nil }
        let payload = parts[0...3].joined(separator: ".")
        guard verify(parts[4], of: payload), Double(expiry) > now.timeIntervalSince1970 else { return nil }
        let hash = parts[2]
        let access: AccessKeys.Access
        if keys.admin.contains(hash) {
            access = .admin
        } else if keys.read.contains(hash) {
            access = .read
        } else {
            return nil
        }
        return DashboardSession(access: access, keyHash: hash, expires: Date(timeIntervalSince1970: Double(expiry)), nonce: parts[3])
    }

    /// The CSRF token every form of this session carries.
    func csrfToken(_ session: DashboardSession) -> String {
        sign("csrf." + session.nonce)
    }

    func checkCSRF(_ token: String?, session: DashboardSession) -> Bool {
        guard let token else { return false }
        return verify(token, of: "csrf." + session.nonce)
    }

    /// The sign-in form's token for the nonce in its cookie.
    func signInToken(nonce: String) -> String {
        sign("signin." + nonce)
    }

    func checkSignIn(_ token: String?, request: Request) -> Bool {
        guard let token, let nonce = request.cookies[Self.signInCookieName]?.value, !nonce.isEmpty else { return false }
        return verify(token, of: "signin." + nonce)
    }

    /// `Set-Cookie` values: the session, its removal, the sign-in nonce.
    func sessionCookie(_ value: String) -> String {
        cookie(Self.cookieName, value, maxAge: Int(ttl))
    }

    func clearedSessionCookie() -> String {
        cookie(Self.cookieName, "", maxAge: 0)
    }

    func signInCookie(_ nonce: String) -> String {
        cookie(Self.signInCookieName, nonce, maxAge: 3600)
    }

    func clearedSignInCookie() -> String {
        cookie(Self.signInCookieName, "", maxAge: 0)
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/dashboard; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    private func sign(_ text: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time: Crypto compares the codes.
    private func verify(_ hex: String, of text: String) -> Bool {
        guard hex.utf8.count == 64, let bytes = Self.bytes(hex) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(text.utf8), using: key)
    }

    static func randomHex(_ count: Int) -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
    }

    private static func bytes(_ hex: String) -> Data? {
        var data = Data(capacity: hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Self.nibble(high), let l = Self.nibble(low) else { return nil }
            data.append(h << 4 | l)
        }
        return data
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Failed sign-ins per client address: after `limit` failures within
/// `window` seconds, that address may not try again until the window ends
/// (429 with `Retry-After`), whatever the key. A success clears its count.
final class SignInLimiter: Sendable {
    private struct Entry { var failures: Int; var since: Date }
    private let entries = Mutex<[String: Entry]>([:])
    let limit: Int
    let window: Double

    init(limit: Int = 10, window: Double = 600) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `address` may try again; nil when it may now.
    func retryAfter(_ address: String, now: Date) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[address] else { return nil }
            let left = entry.since.addingTimeInterval(window).timeIntervalSince(now)
            if left <= 0 {
                entries[address] = nil
                return nil
            }
            return entry.failures >= limit ? Int(left.rounded(.up)) : nil
        }
    }

    func failed(_ address: String, now: Date) {
        entries.withLock { entries in
            if entries.count > 50_000 {
                // Forget the oldest windows first: memory stays bounded under a spray of addresses.
                entries = entries.filter { $0.value.since.addingTimeInterval(window) > now }
            }
            if var entry = entries[address], entry.since.addingTimeInterval(window) > now {
                entry.failures += 1
                entries[address] = entry
            } else {
                entries[address] = Entry(failures: 1, since: now)
            }
        }
    }

    func succeeded(_ address: String) {
        entries.withLock { $0[address] = nil }
    }
}
