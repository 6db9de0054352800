import HummingbirdCore

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS whose certificate can be reloaded.
    static func reloadableTLS(_ box: TLSContextBox, configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            ReloadableTLSChannel(box: box, baseChannel: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
