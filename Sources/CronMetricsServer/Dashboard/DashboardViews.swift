import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The dashboard's templates, compiled once from the copies built into the
/// binary, and the headers every page carries.
struct DashboardViews: Sendable {
    let library: MustacheLibrary
    let css: ByteBuffer
    let script: ByteBuffer

    init() {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("signin", PackageResources.signin_mustache),
            ("overview", PackageResources.overview_mustache), ("job", PackageResources.job_mustache),
            ("notifications", PackageResources.notifications_mustache), ("message", PackageResources.message_mustache),
        ]
        for (name, bytes) in templates {
            // Built into the binary and parsed by a test: a failure here is a build defect.
            try! library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
        css = ByteBuffer(bytes: PackageResources.dashboard_css)
        script = ByteBuffer(bytes: PackageResources.dashboard_js)
    }

    /// No inline script or style, nothing from elsewhere: the CSP forbids it,
    /// so an injected tag would not run even if escaping failed.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func headers(_ contentType: String = "text/html; charset=utf-8") -> HTTPFields {
        [.contentType: contentType, .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
         .xContentTypeOptions: "nosniff", .referrerPolicy: "same-origin", .xFrameOptions: "DENY"]
    }

    /// A whole page: `template` rendered with `context`, inside the layout.
    func page(_ template: String, _ context: [String: Any], layout: [String: Any], status: HTTPResponse.Status = .ok,
              extraHeaders: HTTPFields = [:]) -> Response {
        var outer = layout
        outer["content"] = library.render(context, withTemplate: template) ?? ""
        let html = library.render(outer, withTemplate: "layout") ?? ""
        var headers = Self.headers()
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func asset(_ name: String) -> Response? {
        let (buffer, type): (ByteBuffer, String)
        switch name {
        case "dashboard.css": (buffer, type) = (css, "text/css; charset=utf-8")
        case "dashboard.js": (buffer, type) = (script, "text/javascript; charset=utf-8")
        default: return nil
        }
        var headers = Self.headers(type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
