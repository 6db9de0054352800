import Foundation
import Mustache
import Yams

/// Reads `notifications.channels` from the configuration file: one mapping per
/// channel, its keys checked strictly for the channel's `type`, every problem
/// with `file:line:column`. Secrets (`secret`, `password`, `routing_key`) are
/// read from `NAME_file` or `NAME_env`, never written in the file itself;
/// URLs may be given either way. Relative `*_file` paths are relative to the
/// configuration file's folder.
struct ChannelParser {
    let path: String
    let environment: [String: String]
    private(set) var problems: [String] = []

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    static let commonKeys = ["type", "concurrency"]
    static let keys: [ChannelKind: [String]] = [
        .webhook: ["url", "url_file", "url_env", "method", "headers", "body_template", "body_template_file", "secret_file", "secret_env"],
        .slack: ["url", "url_file", "url_env"],
        .email: ["host", "port", "starttls", "tls", "username", "password_file", "password_env", "from", "to", "ca_file"],
        .pagerduty: ["routing_key_file", "routing_key_env", "url", "severity"],
    ]

    mutating func channels(_ node: Node) -> [ChannelDefinition] {
        guard let mapping = node.mapping else {
            problem(at: node, "'notifications.channels' must be a mapping of channel names to channels")
            return []
        }
        var channels: [ChannelDefinition] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string, Identifier.problem(name) == nil else {
                problem(at: keyNode, "a channel name \(Identifier.problem(keyNode.scalar?.string ?? "") ?? "must be a plain name")")
                continue
            }
            if channels.contains(where: { $0.name == name }) {
                problem(at: keyNode, "channel '\(name)' is defined twice")
                continue
            }
            if let channel = self.channel(name, value, at: keyNode) { channels.append(channel) }
        }
        return channels
    }

    private mutating func channel(_ name: String, _ node: Node, at keyNode: Node) -> ChannelDefinition? {
        let prefix = "notifications.channels.\(name)"
        guard let mapping = node.mapping else {
            problem(at: node, "'\(prefix)' must be a mapping with a 'type'")
            return nil
        }
        var fields = Fields(prefix: prefix)
        for (key, value) in mapping {
            guard let field = key.scalar?.string else { continue }
            fields.nodes[field] = (key, value)
        }
        guard let typeNode = fields.nodes["type"]?.value else {
            problem(at: node, "'\(prefix)' needs a 'type': one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        guard let kind = ChannelKind(rawValue: typeNode.scalar?.string ?? "") else {
            problem(at: typeNode, "'\(prefix).type' must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(typeNode.scalar?.string ?? "")\")")
            return nil
        }
        let allowed = Self.commonKeys + (Self.keys[kind] ?? [])
        for (field, entry) in fields.nodes where !allowed.contains(field) {
            var message = "unknown key '\(prefix).\(field)' for a \(kind.rawValue) channel"
            if ["secret", "password", "routing_key"].contains(field) {
                message += "; write \(field)_file or \(field)_env: secrets are not kept in the configuration file"
            } else if let guess = Spelling.closest(to: field, in: allowed) {
                message += " (did you mean '\(guess)'?)"
            } else {
                message += "; allowed: \(allowed.joined(separator: ", "))"
            }
            problem(at: entry.key, message)
        }
        let before = problems.count
        let concurrency = integer(fields, "concurrency", 1...64) ?? 4
        var secrets: [String] = []
        let target: ChannelDefinition.Target?
        switch kind {
        case .webhook: target = webhook(fields, &secrets)
        case .slack: target = url(fields, required: true, secrets: &secrets).map { .slack(url: $0) }
        case .email: target = email(fields, &secrets)
        case .pagerduty: target = pagerduty(fields, &secrets)
        }
        guard problems.count == before, let target else { return nil }
        return ChannelDefinition(name: name, target: target, concurrency: concurrency,
                                 source: location(keyNode), secretSources: secrets)
    }

    private mutating func webhook(_ fields: Fields, _ secrets: inout [String]) -> ChannelDefinition.Target? {
        guard let url = url(fields, required: true, secrets: &secrets) else { return nil }
        let method = (string(fields, "method") ?? "POST").uppercased()
        if !["POST", "PUT", "PATCH"].contains(method), let node = fields.nodes["method"]?.value {
            problem(at: node, "'\(fields.prefix).method' must be POST, PUT or PATCH (got \"\(method)\")")
        }
        var headers: [(name: String, value: String)] = []
        if let node = fields.nodes["headers"]?.value {
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? ""
                    guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }),
                          let text = value.scalar?.string, !text.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                        problem(at: key, "'\(fields.prefix).headers' must map header names to one-line values")
                        continue
                    }
                    headers.append((name, text))
                }
            } else {
                problem(at: node, "'\(fields.prefix).headers' must be a mapping of header names to values")
            }
        }
        let secret = self.secret(fields, "secret", secrets: &secrets)
        var template: MustacheTemplate?
        if let (text, node) = templateText(fields) {
            let json = headers.first { $0.name.lowercased() == "content-type" }.map { $0.value.lowercased().contains("json") } ?? true
            do {
                template = try NotificationTemplate.compile(text, json: json)
            } catch {
                problem(at: node, "'\(fields.prefix).body_template' is not a valid Mustache template: \(error)")
            }
        }
        return .webhook(.init(url: url, method: method, headers: headers, template: template, secret: secret))
    }

    private mutating func email(_ fields: Fields, _ secrets: inout [String]) -> ChannelDefinition.Target? {
        let host = string(fields, "host")
        let from = string(fields, "from")
        let to = list(fields, "to")
        for (key, value) in [("host", host), ("from", from)] where value == nil {
            problem(at: fields.nodes["type"]?.key, "'\(fields.prefix).\(key)' is required for an email channel")
        }
        if to.isEmpty { problem(at: fields.nodes["to"]?.value ?? fields.nodes["type"]?.key, "'\(fields.prefix).to' needs at least one address") }
        for address in to + [from].compactMap({ $0 }) where !address.contains("@") || address.contains(where: { "\r\n<> ".contains($0) }) {
            problem(at: fields.nodes["to"]?.value ?? fields.nodes["from"]?.value, "'\(address)' is not an email address")
        }
        let starttls = boolean(fields, "starttls") ?? false, tls = boolean(fields, "tls") ?? false
        if starttls, tls { problem(at: fields.nodes["tls"]?.key, "'\(fields.prefix)': starttls and tls exclude each other (tls is SMTPS from the first byte)") }
        let security: ChannelDefinition.Email.Security = tls ? .tls : starttls ? .starttls : .none
        let port = integer(fields, "port", 1...65535) ?? (tls ? 465 : starttls ? 587 : 25)
        let username = string(fields, "username")
        let password = secret(fields, "password", secrets: &secrets)
        if (username == nil) != (password == nil) {
            problem(at: fields.nodes["username"]?.key ?? fields.nodes["type"]?.key, "'\(fields.prefix)': username and password_file (or password_env) go together")
        }
        if username != nil, security == .none {
            problem(at: fields.nodes["username"]?.key, "'\(fields.prefix)': AUTH needs starttls: true or tls: true (the password would cross the network in clear)")
        }
        let caFile = string(fields, "ca_file").map(resolve)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            problem(at: fields.nodes["ca_file"]?.value, "'\(fields.prefix).ca_file': cannot read \(caFile)")
        }
        guard let host, let from, !to.isEmpty else { return nil }
        return .email(.init(host: host, port: port, security: security, username: username, password: password,
                            from: from, to: to, caFile: caFile))
    }

    private mutating func pagerduty(_ fields: Fields, _ secrets: inout [String]) -> ChannelDefinition.Target? {
        let key = secret(fields, "routing_key", secrets: &secrets)
        if key == nil { problem(at: fields.nodes["type"]?.key, "'\(fields.prefix)' needs routing_key_file or routing_key_env") }
        let url = url(fields, required: false, secrets: &secrets) ?? "https://events.pagerduty.com/v2/enqueue"
        let severity = string(fields, "severity") ?? "critical"
        if !["critical", "error", "warning", "info"].contains(severity) {
            problem(at: fields.nodes["severity"]?.value, "'\(fields.prefix).severity' must be critical, error, warning or info")
        }
        guard let key else { return nil }
        return .pagerduty(.init(routingKey: key, url: url, severity: severity))
    }
}

extension ChannelParser {
    struct Fields {
        let prefix: String
        var nodes: [String: (key: Node, value: Node)] = [:]
    }

    mutating func problem(at node: Node?, _ message: String) {
        problems.append("\(location(node)): \(message)")
    }

    func location(_ node: Node?) -> String {
        "\(path):\(node?.mark?.line ?? 1):\(node?.mark?.column ?? 1)"
    }

    func resolve(_ file: String) -> String {
        file.hasPrefix("/") ? file : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
    }

    mutating func string(_ fields: Fields, _ key: String) -> String? {
        guard let node = fields.nodes[key]?.value else { return nil }
        guard let text = node.scalar?.string, !node.isYAMLNull, !text.isEmpty else {
            problem(at: node, "'\(fields.prefix).\(key)' must be a non-empty value")
            return nil
        }
        return text
    }

    mutating func integer(_ fields: Fields, _ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard let text = string(fields, key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(at: fields.nodes[key]?.value, "'\(fields.prefix).\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(text.prefix(40))\")")
            return nil
        }
        return value
    }

    mutating func boolean(_ fields: Fields, _ key: String) -> Bool? {
        guard let text = string(fields, key) else { return nil }
        guard text == "true" || text == "false" else {
            problem(at: fields.nodes[key]?.value, "'\(fields.prefix).\(key)' must be true or false")
            return nil
        }
        return text == "true"
    }

    mutating func list(_ fields: Fields, _ key: String) -> [String] {
        guard let node = fields.nodes[key]?.value else { return [] }
        if let text = node.scalar?.string { return [text] }
        guard let items = node.sequence?.map({ $0.scalar?.string }), items.allSatisfy({ $0 != nil }) else {
            problem(at: node, "'\(fields.prefix).\(key)' must be a list of strings")
            return []
        }
        return items.compactMap { $0 }
    }

    /// A value given as `NAME`, `NAME_file` or `NAME_env`: exactly one of them
    /// (`NAME` itself only where the allowed keys list it).
    mutating func given(_ fields: Fields, _ name: String, secrets: inout [String]) -> String? {
        let forms = [name, "\(name)_file", "\(name)_env"].filter { fields.nodes[$0] != nil }
        guard forms.count <= 1 else {
            problem(at: fields.nodes[forms[1]]?.key, "'\(fields.prefix)': give one of \(forms.joined(separator: ", ")), not several")
            return nil
        }
        guard let form = forms.first, let text = string(fields, form) else { return nil }
        let node = fields.nodes[form]?.value
        if form.hasSuffix("_file") {
            let file = resolve(text)
            guard let data = FileManager.default.contents(atPath: file), let content = String(data: data, encoding: .utf8) else {
                problem(at: node, "'\(fields.prefix).\(form)': cannot read \(file)")
                return nil
            }
            secrets.append("\(name): file \(file)")
            let value = content.trimmingCharacters(in: .newlines)
            if value.isEmpty { problem(at: node, "'\(fields.prefix).\(form)': \(file) is empty") }
            return value
        }
        if form.hasSuffix("_env") {
            guard let value = environment[text], !value.isEmpty else {
                problem(at: node, "'\(fields.prefix).\(form)': the environment variable \(text) is not set")
                return nil
            }
            secrets.append("\(name): env \(text)")
            return value
        }
        return text
    }

    mutating func secret(_ fields: Fields, _ name: String, secrets: inout [String]) -> String? {
        given(fields, name, secrets: &secrets)
    }

    mutating func url(_ fields: Fields, required: Bool, secrets: inout [String]) -> String? {
        guard let url = given(fields, "url", secrets: &secrets) else {
            if required, fields.nodes["url_file"] == nil, fields.nodes["url_env"] == nil {
                problem(at: fields.nodes["type"]?.key, "'\(fields.prefix)' needs a url (url, url_file or url_env)")
            }
            return nil
        }
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false else {
            problem(at: (fields.nodes["url"] ?? fields.nodes["url_file"] ?? fields.nodes["url_env"])?.value,
                    "'\(fields.prefix)' url must be an http:// or https:// URL")
            return nil
        }
        return url
    }

    mutating func templateText(_ fields: Fields) -> (String, Node?)? {
        var ignored: [String] = []
        let node = (fields.nodes["body_template"] ?? fields.nodes["body_template_file"])?.value
        return given(fields, "body_template", secrets: &ignored).map { ($0, node) }
    }
}
