import Foundation
import Yams

/// The effective configuration: defaults, then `cronmetrics.yaml`, then
/// `CRONMETRICS_<SECTION>_<KEY>` environment variables, then flags, each value
/// remembering where it came from.
///
/// Not swift-configuration: its providers look keys up on demand and have no
/// schema, so a misspelt key in the file would pass silently; here an unknown
/// key is an error with `file:line:column`, as in job files.
public struct AppConfiguration: Sendable {
    public struct Setting: Sendable {
        public var key: ConfigKey
        /// Lists hold their items; scalars one string.
        public var values: [String]
        /// `default`, `cronmetrics.yaml:4:11`, `env CRONMETRICS_…` or `flag --listen`.
        public var source: String
    }

    public private(set) var settings: [String: Setting] = [:]
    /// `notifications.channels`, by name order; from the file only (their
    /// secrets from `*_file` or `*_env`).
    public private(set) var channels: [ChannelDefinition] = []
    /// What was accepted but should change: the Go cron-exporter's keys and
    /// variables (each naming the new one), and its settings cronmetrics
    /// does not have (each saying what to do).
    public private(set) var warnings: [String] = []
    /// The file's settings under the cron-exporter's names, applied after
    /// the file's own (a new key given in the same file wins).
    private var legacyInFile: [(setting: LegacySetting, value: String, location: String)] = []
    /// The keys the file set under their own names.
    private var keysInFile: Set<String> = []
    private let environment: [String: String]
    /// The configuration file read, if any.
    public let file: String?

    /// The channel names job files may use: nil without a configuration file
    /// (then `notify` names cannot be checked), else those configured.
    public var channelNames: Set<String>? {
        file == nil ? nil : Set(channels.map(\.name))
    }

    /// - Parameters:
    ///   - file: the config file, or nil for none.
    ///   - environment: the process environment.
    ///   - flags: values given on the command line, by key, with the flag's name.
    /// - Throws: ``ConfigError`` listing every problem.
    public init(file: String?, environment: [String: String], flags: [ConfigKey: FlagValue] = [:]) throws(ConfigError) {
        self.environment = environment
        self.file = file
        var problems: [String] = []
        for key in ConfigKey.all {
            settings[key.key] = Setting(key: key, values: Self.split(key.defaultValue, key.kind), source: "default")
        }
        if let file {
            problems += loadFile(file)
            problems += applyLegacyFromFile()
        }
        problems += applyLegacyFromEnvironment()
        for key in ConfigKey.all {
            if let value = environment[key.environmentName] {
                if case .list = key.kind, Self.splitList(value) == nil {
                    problems.append("env \(key.environmentName): a list starting with '[' must be a JSON array of strings, such as [\"a\", \"b\"]")
                    continue
                }
                let values = Self.split(value, key.kind)
                if let problem = Self.check(values, key) {
                    problems.append("env \(key.environmentName): \(problem)")
                } else {
                    settings[key.key] = Setting(key: key, values: values, source: "env \(key.environmentName)")
                }
            }
        }
        for (key, given) in flags {
            let values = Self.split(given.value, key.kind)
            if let problem = Self.check(values, key) {
                problems.append("flag \(given.flag): \(problem)")
            } else {
                settings[key.key] = Setting(key: key, values: values, source: "flag \(given.flag)")
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems) }
    }

    /// A setting's value and where it came from.
    public func setting(_ key: ConfigKey) -> Setting? {
        settings[key.key]
    }

    public func string(_ key: ConfigKey) -> String {
        settings[key.key]?.values.first ?? ""
    }

    /// nil when the setting is empty (an optional path not given).
    public func optionalString(_ key: ConfigKey) -> String? {
        let value = string(key)
        return value.isEmpty ? nil : value
    }

    public func integer(_ key: ConfigKey) -> Int {
        Int(string(key)) ?? 0
    }

    public func boolean(_ key: ConfigKey) -> Bool {
        string(key) == "true"
    }

    public func list(_ key: ConfigKey) -> [String] {
        settings[key.key]?.values ?? []
    }

    /// A duration setting in seconds; nil when it is empty (not set).
    public func seconds(_ key: ConfigKey) -> Int? {
        JobDuration(parsing: string(key))?.seconds
    }

    private mutating func loadFile(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return ["\(path): cannot read the configuration file"]
        }
        if let reference = YAMLReferences.first(in: text) {
            return ["\(path):\(reference.line):\(reference.column): \(reference.message)"]
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, Resolver.basic, Constructor.default, .utf8)
        } catch let error as YamlError {
            let (line, column, problem) = JobFileDecoder.describe(error)
            return ["\(path):\(line):\(column): invalid YAML: \(problem)"]
        } catch {
            return ["\(path): invalid YAML: \(error)"]
        }
        guard let root else { return [] }
        var problems: [String] = []
        walk(root, prefix: "", path: path, problems: &problems)
        return problems
    }

    private mutating func walk(_ node: Node, prefix: String, path: String, problems: inout [String]) {
        guard let mapping = node.mapping else {
            problems.append("\(path):\(node.mark?.line ?? 1):\(node.mark?.column ?? 1): '\(prefix.isEmpty ? "the file" : prefix)' must be a mapping")
            return
        }
        for (keyNode, value) in mapping {
            let name = keyNode.scalar?.string ?? ""
            let full = prefix.isEmpty ? name : "\(prefix).\(name)"
            let location = "\(path):\(keyNode.mark?.line ?? 1):\(keyNode.mark?.column ?? 1)"
            if full == ConfigKey.channelsKey {
                var parser = ChannelParser(path: path, environment: environment)
                channels = parser.channels(value).sorted { $0.name < $1.name }
                problems += parser.problems
            } else if let key = ConfigKey.byKey[full] {
                var values: [String]
                if case .list = key.kind, let sequence = value.sequence {
                    let named = key == .adminAPIKeys || key == .readAPIKeys
                    values = []
                    var itemProblems: [String] = []
                    for item in sequence {
                        if let scalar = item.scalar {
                            values.append(scalar.string)
                        } else if named, let mapping = item.mapping {
                            let place = "\(path):\(item.mark?.line ?? 1):\(item.mark?.column ?? 1)"
                            switch Self.namedKey(mapping) {
                            case let .success(text): values.append(text)
                            case let .failure(problem): itemProblems.append("\(place): \(full): \(problem.message)")
                            }
                        }
                    }
                    guard itemProblems.isEmpty else {
                        problems += itemProblems
                        continue
                    }
                    guard values.count == sequence.count else {
                        problems.append("\(location): '\(full)' must be a list of \(named ? "keys, or {name, sha256} mappings" : "strings")")
                        continue
                    }
                } else if let scalar = value.scalar {
                    values = value.isYAMLNull ? [] : Self.split(scalar.string, key.kind)
                } else {
                    problems.append("\(location): '\(full)' must be a single value")
                    continue
                }
                if let problem = Self.check(values, key) {
                    problems.append("\(location): \(problem)")
                } else {
                    settings[full] = Setting(key: key, values: values, source: location)
                    keysInFile.insert(full)
                }
            } else if let legacy = LegacySetting.find(full) {
                if legacy.replacement == nil {
                    warnings.append("\(location): '\(full)' is a cron-exporter setting cronmetrics does not have, and is ignored: \(legacy.advice)")
                } else if let scalar = value.scalar, !value.isYAMLNull {
                    legacyInFile.append((legacy, scalar.string, location))
                } else {
                    problems.append("\(location): '\(full)' must be a single value")
                }
            } else if ConfigKey.all.contains(where: { $0.key.hasPrefix(full + ".") }) || LegacySetting.isSection(full) {
                walk(value, prefix: full, path: path, problems: &problems)
            } else {
                let siblings = ConfigKey.all.map(\.key).filter { prefix.isEmpty || $0.hasPrefix(prefix + ".") }
                    .map { String($0.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1).split(separator: ".").first ?? "") }
                let names = Array(Set(siblings + (prefix == "notifications" ? ["channels"] : []))).sorted()
                if let guess = Spelling.closest(to: name, in: names) {
                    problems.append("\(location): unknown key '\(full)' (did you mean '\(prefix.isEmpty ? guess : "\(prefix).\(guess)")'?)")
                } else {
                    problems.append("\(location): unknown key '\(full)'; allowed here: \(names.joined(separator: ", "))")
                }
            }
        }
    }

    /// The cron-exporter's keys found in the file, each setting its new key
    /// unless the file gives that one too.
    private mutating func applyLegacyFromFile() -> [String] {
        var problems: [String] = []
        for (legacy, value, location) in legacyInFile {
            guard let key = legacy.replacement else { continue }
            let place = LegacyPlace(label: location, old: "\(location): '\(legacy.key)'", new: "'\(key.key)'", newGiven: keysInFile.contains(key.key),
                                    shadow: "in the same file; remove '\(legacy.key)'", advice: "write", source: "\(location) (deprecated '\(legacy.key)')")
            if let problem = adopt(legacy, as: key, value: value, from: place) { problems.append(problem) }
        }
        return problems
    }

    /// Where one of the cron-exporter's settings was found, and the words
    /// its warnings use there.
    private struct LegacyPlace {
        var label, old, new: String
        var newGiven: Bool
        var shadow, advice, source: String
    }

    /// Takes one of the cron-exporter's settings as its new key, with a
    /// warning, unless the new key is given too.
    /// - Returns: the problem when the value is not one the new key takes.
    private mutating func adopt(_ legacy: LegacySetting, as key: ConfigKey, value: String, from place: LegacyPlace) -> String? {
        guard !place.newGiven else {
            warnings.append("\(place.old) (the cron-exporter's name) is ignored: \(place.new) is set \(place.shadow)")
            return nil
        }
        if let problem = applyLegacy(legacy, value: value, source: place.source) { return "\(place.label): \(problem)" }
        warnings.append("\(place.old) is the cron-exporter's name; \(place.advice) \(place.new)\(key == .listen ? " (host:port)" : "") instead")
        return nil
    }

    /// The cron-exporter's variables (`CRONMETRICS_SERVER_PORT` …), below
    /// the new ones: a new variable given too wins.
    private mutating func applyLegacyFromEnvironment() -> [String] {
        var problems: [String] = []
        for legacy in LegacySetting.all {
            let names = legacy.replacement == nil && !legacy.key.contains(".")
                ? environment.keys.filter { $0.hasPrefix(legacy.environmentName + "_") }.sorted()
                : (environment[legacy.environmentName] == nil ? [] : [legacy.environmentName])
            for name in names {
                guard let key = legacy.replacement, let value = environment[name] else {
                    warnings.append("env \(name) is a cron-exporter setting cronmetrics does not have, and is ignored: \(legacy.advice)")
                    continue
                }
                let place = LegacyPlace(label: "env \(name)", old: "env \(name)", new: key.environmentName, newGiven: environment[key.environmentName] != nil,
                                        shadow: "too; unset \(name)", advice: "set", source: "env \(name) (deprecated)")
                if let problem = adopt(legacy, as: key, value: value, from: place) { problems.append(problem) }
            }
        }
        return problems
    }

    private mutating func applyLegacy(_ legacy: LegacySetting, value: String, source: String) -> String? {
        guard let key = legacy.replacement else { return nil }
        switch legacy.translate(value, listen: string(.listen)) {
        case let .failure(problem):
            return problem.message
        case let .success(translated):
            let values = Self.split(translated, key.kind)
            if let problem = Self.check(values, key) { return "\(problem) (from '\(legacy.key)')" }
            settings[key.key] = Setting(key: key, values: values, source: source)
            return nil
        }
    }

    /// A named key written as a mapping (`{name: alice, sha256: <hex>}` or
    /// `{name: alice, key: KEY}`), as the one-string form ``AccessKeyItem`` reads.
    static func namedKey(_ mapping: Node.Mapping) -> Result<String, NamedKeyProblem> {
        var fields: [String: String] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.scalar?.string ?? ""
            guard ["name", "sha256", "key"].contains(name) else {
                return .failure(NamedKeyProblem("unknown key '\(name)' in a named key; allowed: name, sha256, key"))
            }
            guard let scalar = value.scalar, !value.isYAMLNull else { return .failure(NamedKeyProblem("'\(name)' must be a string")) }
            fields[name] = scalar.string
        }
        guard let name = fields["name"], AccessKeyItem.isName(Substring(name)), name != "sha256" else {
            return .failure(NamedKeyProblem("'name' is required: a letter, then up to 63 letters, digits, _ . @ -"))
        }
        switch (fields["sha256"], fields["key"]) {
        case let (hash?, nil):
            guard APIKeyHash.isValidHex(hash) else { return .failure(NamedKeyProblem("'sha256' must be 64 lowercase hex digits (the SHA-256 of the key)")) }
            return .success("\(name):sha256:\(hash)")
        case let (nil, key?) where !key.isEmpty:
            return .success("\(name):\(key)")
        default:
            return .failure(NamedKeyProblem("give exactly one of 'sha256' (the key's SHA-256, safe to commit) or 'key'"))
        }
    }

    /// A list from one string: a JSON array of strings when it starts with `[`
    /// (for items that hold commas, such as the pattern `\d{1,3}`), else
    /// comma-separated items. nil when it starts with `[` but is not such an array.
    static func splitList(_ text: String) -> [String]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[") {
            guard let items = try? JSONDecoder().decode([String].self, from: Data(trimmed.utf8)) else { return nil }
            return items
        }
        return trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func split(_ text: String, _ kind: ConfigKey.Kind) -> [String] {
        guard case .list = kind else { return [text] }
        return splitList(text) ?? [text]
    }

    static func check(_ values: [String], _ key: ConfigKey) -> String? {
        switch key.kind {
        case .string, .list:
            return nil
        case let .integer(min, max):
            guard let value = Int(values.first ?? ""), value >= min, value <= max else {
                return "'\(key.key)' must be a whole number from \(min) to \(max) (got \"\(String(values.first?.prefix(40) ?? ""))\")"
            }
            return nil
        case .boolean:
            guard ["true", "false"].contains(values.first ?? "") else {
                return "'\(key.key)' must be true or false (got \"\(values.first ?? "")\")"
            }
            return nil
        case let .duration(min, max):
            let text = values.first ?? ""
            if text.isEmpty, key.defaultValue.isEmpty { return nil }
            guard let duration = JobDuration(parsing: text), duration.seconds >= min, duration.seconds <= max else {
                return "'\(key.key)' must be a duration from \(min)s to \(max)s, such as 30s, 10m or 24h (got \"\(text.prefix(40))\")"
            }
            return nil
        case let .choice(options):
            guard options.contains(values.first ?? "") else {
                return "'\(key.key)' must be one of \(options.joined(separator: ", ")) (got \"\(values.first ?? "")\")"
            }
            return nil
        }
    }
}

/// Why a named key's mapping was refused.
struct NamedKeyProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
