/// The limits every connection lives under.
public struct ConnectionLimits: Sendable {
    /// Open connections at most; more are closed as soon as they are accepted.
    public var maxConnections: Int
    /// A new connection must send its first request's headers within this.
    public var headerTimeout: Duration
    /// A request's body must arrive within this once its headers have.
    public var bodyTimeout: Duration
    /// A kept-alive connection may wait this long for its next request.
    public var idleTimeout: Duration

    public init(maxConnections: Int = 4096, headerTimeout: Duration = .seconds(10),
                bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60)) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }
}
