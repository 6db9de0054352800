import Foundation
import NIOSSL

/// Loads the PEM certificate chain and key for HTTPS.
enum TLSFiles {
    /// Why HTTPS cannot start.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func configuration(certificate: String, key: String) throws(Failure) -> TLSConfiguration {
        for (name, path) in [("server.tls.cert_file", certificate), ("server.tls.key_file", key)] where !FileManager.default.isReadableFile(atPath: path) {
            throw Failure(description: "\(name): cannot read \(path)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw Failure(description: "server.tls.cert_file: no certificate in \(certificate)") }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            // TLS 1.0 and 1.1 are deprecated (RFC 8996); NIOSSL would accept them by default.
            tls.minimumTLSVersion = .tlsv12
            // Building a context checks that the key belongs to the certificate.
            _ = try NIOSSLContext(configuration: tls)
            return tls
        } catch let failure as Failure {
            throw failure
        } catch NIOSSLError.failedToLoadPrivateKey {
            throw Failure(description: "server.tls.key_file: \(key) is not the private key of the certificate in \(certificate) (or not a PEM private key)")
        } catch {
            throw Failure(description: "server.tls: cannot use \(certificate) with \(key): \(error)")
        }
    }
}
