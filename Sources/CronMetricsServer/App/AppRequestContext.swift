import CronMetricsCore
import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage, our request id, and
/// the API's JSON coding (configured once, in ``APICoding``).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware``; echoed in `X-Request-ID` and in error bodies.
    public var requestID: String = ""
    /// The peer's address (the dashboard rate-limits failed sign-ins by it).
    public let remoteAddress: SocketAddress?
    /// The signed-in dashboard session, set by ``DashboardAuthMiddleware``.
    var dashboardSession: DashboardSession?
    /// The admin or read-only key's name and role (`admin`, `read`), set by
    /// ``AdminAuthMiddleware`` (audit rows name who wrote).
    var keyHolder: (name: String, role: String)?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Who a write on `route` is audited as: the request's key.
    func audit(_ route: String) -> AuditContext {
        AuditContext(actor: keyHolder?.name ?? "unknown", role: keyHolder?.role ?? "unknown", route: route,
                     requestID: requestID.isEmpty ? nil : requestID)
    }

    public var requestDecoder: JSONDecoder { APICoding.decoder }
    public var responseEncoder: JSONEncoder { APICoding.encoder }
}
