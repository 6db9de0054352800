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
