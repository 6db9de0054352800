import Foundation
import Yams

/// Decodes version 1 job files strictly: unknown keys, wrong types and bad
/// values are errors with `path:line:column` and a hint of what to write instead.
public struct JobFileDecoder: Sendable {
    /// Job files larger than this are refused unread.
    public static let maxFileBytes = 1 << 20

    public init() {}

    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - path: the path shown in diagnostics.
    /// - Returns: the job (nil if any error was found) and all diagnostics.
    public func decode(_ data: Data, path: String) -> DecodedJobFile {
        var result = DecodedJobFile(job: nil, diagnostics: [], idLine: 1, idColumn: 1)
        func fail(_ message: String, line: Int = 1, column: Int = 1) -> DecodedJobFile {
            result.diagnostics.append(.init(path: path, line: line, column: column, message: message))
            return result
        }
        guard data.count <= Self.maxFileBytes else {
            return fail("file is \(data.count) bytes; job files may be at most \(Self.maxFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return fail("file is not valid UTF-8")
        }
        if let reference = YAMLReferences.first(in: text) {
            return fail(reference.message, line: reference.line, column: reference.column)
        }
        let node: Node?
        do {
            // Measured on a 10,000-file tree (docs/performance.md): the basic
            // resolver skips Yams' per-scalar regular expressions (every scalar
            // is read as text and typed here), and an explicit encoding skips a
            // read of the whole process environment on every parse.
            node = try Yams.compose(yaml: text, Resolver.basic, Constructor.default, .utf8)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            let names = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return fail("duplicate key \(names): each key may appear only once", line: context.mark.line, column: context.mark.column)
        } catch let error as YamlError {
            let (line, column, problem) = Self.describe(error)
            return fail("invalid YAML: \(problem)", line: line, column: column)
        } catch {
            return fail("invalid YAML: \(error)")
        }
        guard let node else {
            return fail("file is empty; a job file needs at least version, job_name, host and automatic_failure_threshold")
        }
        guard let mapping = node.mapping else {
            return fail("a job file must be a mapping of keys to values, not a \(Self.kind(of: node))",
                        line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        }
        var reader = JobFieldReader(path: path)
        let job = reader.read(mapping)
        result.diagnostics = reader.diagnostics
        result.idLine = reader.idMark.line
        result.idColumn = reader.idMark.column
        result.notifyMark = reader.notifyMark
        result.keyMark = reader.keyMark
        result.dependsMark = reader.dependsMark
        result.escalateMark = reader.escalateMark
        result.job = result.hasErrors ? nil : job
        return result
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: return "scalar"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }

    public static func describe(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) at line \($0.mark.line), \(problem)" } ?? problem
            return (mark.line, mark.column, detail)
        case let .reader(problem, _, _, _):
            return (1, 1, problem)
        default:
            return (1, 1, "\(error)")
        }
    }
}
