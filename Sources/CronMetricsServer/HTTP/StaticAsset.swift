import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird

/// A file built into the binary, kept gzip-compressed, and served compressed
/// to clients that accept gzip (all browsers) or inflated for those that do not.
struct StaticAsset: Sendable {
    let contentType: String
    let gzipped: ByteBuffer

    /// - Parameter base64Gzip: the file, gzip-compressed, then base64 (line breaks allowed).
    init(contentType: String, base64Gzip: String) {
        self.contentType = contentType
        let data = Data(base64Encoded: base64Gzip, options: .ignoreUnknownCharacters) ?? Data()
        gzipped = ByteBuffer(bytes: data)
    }

    func response(for request: Request) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "public, max-age=86400", .vary: "Accept-Encoding"]
        if MetricsController.acceptsGzip(request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        var compressed = gzipped
        guard let plain = try? compressed.decompress(with: .gzip()) else {
            return Response(status: .internalServerError)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: plain))
    }
}
