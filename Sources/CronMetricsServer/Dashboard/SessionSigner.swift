import CronMetricsCore
import Crypto
import Foundation
import Hummingbird

/// Makes and checks session cookies and CSRF tokens.
struct SessionSigner: Sendable {
    static let cookieName = "cronmetrics_session"
    /// Before sign-in: a nonce whose HMAC the sign-in form must send back.
    static let signInCookieName = "cronmetrics_signin"
    let key: SymmetricKey
    let ttl: Double
    let secure: Bool
    let revocations: SessionRevocations

    init(ttl: Double, secure: Bool, key: SymmetricKey = SymmetricKey(size: .bits256),
         revocations: SessionRevocations = SessionRevocations()) {
        self.key = key
        self.ttl = ttl
        self.secure = secure
        self.revocations = revocations
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
        guard verify(parts[4], of: payload) else { return nil }
        let session = DashboardSession(access: .read, keyHash: parts[2], expires: Date(timeIntervalSince1970: Double(expiry)), nonce: parts[3])
        return current(session, keys: keys, now: now)
    }

    /// `session` as it stands now: nil once it expired, was signed out, or
    /// its key left the configuration; its access as the key has it now.
    func current(_ session: DashboardSession, keys: AccessKeys, now: Date) -> DashboardSession? {
        guard session.expires > now, !revocations.isRevoked(session.nonce) else { return nil }
        var session = session
        if keys.admin.contains(session.keyHash) {
            session.access = .admin
        } else if keys.read.contains(session.keyHash) {
            session.access = .read
        } else {
            return nil
        }
        return session
    }

    /// Ends `session` on every copy of its cookie.
    func signOut(_ session: DashboardSession, now: Date) {
        revocations.revoke(session.nonce, until: session.expires, now: now)
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
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    /// Constant-time: Crypto compares the codes.
    private func verify(_ hex: String, of text: String) -> Bool {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(text.utf8), using: key)
    }

    static func randomHex(_ count: Int) -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Hex.encode($0) }
    }
}
