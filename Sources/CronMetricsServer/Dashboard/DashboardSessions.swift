import CronMetricsCore
import Foundation
import Hummingbird

/// Who is signed in to the dashboard: sessions read from cookies and checked
/// against the keys in force, sign-ins (limited per client address), sign-outs.
struct DashboardSessions: Sendable {
    let signer: SessionSigner
    let limiter: SignInLimiter
    let clientAddress: ClientAddress
    /// The admin and read-only keys in force (a reload changes them).
    let keys: @Sendable () -> AccessKeys
    let now: @Sendable () -> Date

    /// The session of `request`'s cookie, if it holds now.
    func current(_ request: Request) -> DashboardSession? {
        signer.session(request, keys: keys(), now: now())
    }

    /// Whether `session` still holds (a stream checks it before each batch).
    func holds(_ session: DashboardSession) -> Bool {
        signer.current(session, keys: keys(), now: now()) != nil
    }

    func csrfToken(_ session: DashboardSession) -> String {
        signer.csrfToken(session)
    }

    func checkCSRF(_ token: String?, session: DashboardSession) -> Bool {
        signer.checkCSRF(token, session: session)
    }

    /// The client of a request, behind trusted proxies too.
    func client(_ request: Request, context: AppRequestContext) -> String {
        clientAddress.client(request, peer: context.remoteAddress?.ipAddress)
    }

    enum SignIn {
        /// The key is an admin or read-only key: the session's cookie.
        case signedIn(AccessKeys.Access, cookie: String)
        case wrongKey
    }

    /// Checks a key for a sign-in whose attempt was already taken; a sign-in
    /// that succeeds gives its own attempt back (never another's).
    func signIn(key: String, address: String) -> SignIn {
        let time = now()
        guard !key.isEmpty, let access = keys().access(key) else { return .wrongKey }
        limiter.giveBack(address, now: time)
        return .signedIn(access, cookie: signer.issue(keyHash: APIKeyHash.sha256Hex(of: key), now: time))
    }
}
