// libyaml itself (the C parser inside Yams, not a product of that package):
// its event stream says exactly where YAML reads `&` and `*` as anchors and
// aliases, in one linear pass that expands nothing. A scanner of our own
// would have to follow quoting, comments, block scalars, flow context and
// multi-line plain scalars to tell `*` in `0 * * * *` from an alias.
internal import CYaml

/// Anchors (`&name`) and aliases (`*name`) in a YAML text, found before the
/// text is composed into nodes.
///
/// Job and configuration files refuse both: they say nothing a file needs,
/// and aliases used as mapping keys ("billion laughs") make composing the
/// node tree, and hashing its keys, take exponential time: a 694-byte file
/// held a core at 100% and the reload that read it. Yams composes and
/// hashes before any of our code sees a node, so the refusal comes first.
public enum YAMLReferences {
    public struct Found: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case anchor, alias
        }

        public var kind: Kind
        public var name: String
        /// 1-based, where the anchor or alias begins.
        public var line: Int
        public var column: Int

        /// The refusal, without the position.
        public var message: String {
            let written = (kind == .anchor ? "&" : "*") + name
            return "YAML \(kind.rawValue)s are not allowed (found an \(kind.rawValue) '\(written)'): write the value out where it is used"
        }
    }

    /// The first anchor or alias of `text`, or nil (also when the text is not
    /// valid YAML: composing it then reports that error).
    public static func first(in text: String) -> Found? {
        // Most files hold neither byte outside a cron expression or a
        // description: those need no second pass.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "*") }) else { return nil }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Found? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                func found(_ kind: Found.Kind, _ name: UnsafeMutablePointer<yaml_char_t>?) -> Found? {
                    guard let name else { return nil }
                    return Found(kind: kind, name: String(cString: name), line: mark.line + 1, column: mark.column + 1)
                }
                switch event.type {
                case YAML_ALIAS_EVENT:
                    if let hit = found(.alias, event.data.alias.anchor) { return hit }
                case YAML_SCALAR_EVENT:
                    if let hit = found(.anchor, event.data.scalar.anchor) { return hit }
                case YAML_SEQUENCE_START_EVENT:
                    if let hit = found(.anchor, event.data.sequence_start.anchor) { return hit }
                case YAML_MAPPING_START_EVENT:
                    if let hit = found(.anchor, event.data.mapping_start.anchor) { return hit }
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            return nil
        }
    }
}
