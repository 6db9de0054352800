import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The dashboard's templates, compiled once at start from the copies built
/// into the binary, and the headers every page carries.
struct DashboardViews: Sendable {
    /// A template that did not compile: the server does not start.
    struct TemplateError: Error, CustomStringConvertible {
        var template: DashboardTemplate
        var reason: String
        var description: String { "dashboard template '\(template.rawValue)' cannot be used: \(reason)" }
    }

    let library: MustacheLibrary
    let css: ByteBuffer
    let script: ByteBuffer

    /// The templates built into the binary.
    /// - Throws: ``TemplateError`` for a template that does not compile.
    init() throws(TemplateError) {
        try self.init(sources: Dictionary(uniqueKeysWithValues: DashboardTemplate.allCases.map { ($0, $0.source) }))
    }

    /// - Throws: ``TemplateError`` for a template that is missing, does not
    ///   compile, or is not in the library after registration.
    init(sources: [DashboardTemplate: [UInt8]]) throws(TemplateError) {
        var library = MustacheLibrary()
        for template in DashboardTemplate.allCases {
            guard let source = sources[template] else { throw TemplateError(template: template, reason: "missing") }
            do {
                try library.register(String(decoding: source, as: UTF8.self), named: template.rawValue)
            } catch {
                throw TemplateError(template: template, reason: "\(error)")
            }
            guard library.getTemplate(named: template.rawValue) != nil else {
                throw TemplateError(template: template, reason: "not registered")
            }
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

    /// `model` rendered with `template` (checked at start to be there).
    func render(_ template: DashboardTemplate, _ model: Any) -> String {
        library.render(model, withTemplate: template.rawValue) ?? ""
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
