import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The TLS context new connections get; replaced on SIGHUP so a renewed
/// certificate is served without a restart. Connections already open keep
/// the context they started with.
final class TLSContextBox: Sendable {
    let certificateFile: String
    let keyFile: String
    private let current: Mutex<NIOSSLContext>

    /// - Throws: ``TLSFiles/Failure`` when the files cannot be used.
    init(certificateFile: String, keyFile: String) throws(TLSFiles.Failure) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        current = Mutex(try Self.load(certificateFile, keyFile))
    }

    var context: NIOSSLContext {
        current.withLock { $0 }
    }

    /// Loads the files again; on failure the current context stays.
    func reload() throws(TLSFiles.Failure) {
        let context = try Self.load(certificateFile, keyFile)
        current.withLock { $0 = context }
    }

    private static func load(_ certificate: String, _ key: String) throws(TLSFiles.Failure) -> NIOSSLContext {
        let configuration = try TLSFiles.configuration(certificate: certificate, key: key)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFiles.Failure(description: "server.tls: \(error)")
        }
    }
}

/// Hummingbird's TLS child channel, except that each new connection takes the
/// box's current context instead of one fixed at start.
struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    typealias Value = BaseChannel.Value

    let box: TLSContextBox
    var baseChannel: BaseChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: box.context))
        }.flatMap {
            baseChannel.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: BaseChannel.Value, logger: Logger) async {
        await baseChannel.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder {
        baseChannel.responder
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS whose certificate can be reloaded.
    static func reloadableTLS(_ box: TLSContextBox, configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            ReloadableTLSChannel(box: box, baseChannel: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
