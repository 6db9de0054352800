import Crypto
import Foundation

/// Reads a `jobs.d` tree into a validated catalog, parsing only files whose
/// (path, size, mtime, inode) changed since its previous pass.
public struct JobTreeLoader: Sendable {
    public let tree: JobTree
    /// The configured notification channels: a job's `notify` must name only
    /// these. nil when no configuration was given (then names are not checked).
    public var channels: Set<String>?
    private let decoder = JobFileDecoder()
    /// The files of the previous pass, sorted by path as ``JobTree/scan()``
    /// returns them: an array, not a dictionary keyed by path, whose buckets
    /// cost 4 times the memory (a dictionary of 100,000 is sized for 262,144).
    private var cache: [CachedFile] = []

    struct CachedFile: Sendable {
        var stamp: FileStamp
        var decoded: DecodedJobFile
        var contentHash: String
    }

    public init(root: String, channels: Set<String>? = nil) {
        self.tree = JobTree(root: root)
        self.channels = channels
    }

    /// Reads the tree, validates every file and the tree as a whole.
    /// - Throws: ``JobTreeError`` when the tree itself cannot be read.
    public mutating func load() throws(JobTreeError) -> TreeLoad {
        let stamps = try tree.scan()
        var next: [CachedFile?] = []
        next.reserveCapacity(stamps.count)
        var toParse: [FileStamp] = []
        var slots: [Int] = []
        var previous = 0
        // Both lists are sorted by path: one walk pairs each file with its
        // previous pass.
        for stamp in stamps {
            while previous < cache.count, cache[previous].stamp.path < stamp.path { previous += 1 }
            if previous < cache.count, cache[previous].stamp == stamp {
                next.append(cache[previous])
            } else {
                slots.append(next.count)
                next.append(nil)
                toParse.append(stamp)
            }
        }
        for (slot, file) in zip(slots, parse(toParse)) {
            next[slot] = file
        }
        cache = next.map { $0! }
        return validate(cache, parsedCount: toParse.count)
    }

    /// Reads and decodes files, on every core: a cold load of a large tree is
    /// mostly YAML parsing.
    private func parse(_ stamps: [FileStamp]) -> [CachedFile] {
        guard !stamps.isEmpty else { return [] }
        let results = ResultSlots<CachedFile>(count: stamps.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, stamps.count / 64 + 1))
        let tree = self.tree
        let decoder = self.decoder
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < stamps.count {
                let stamp = stamps[index]
                let display = tree.displayPath(stamp.path)
                let decoded: DecodedJobFile
                let contentHash: String
                if let data = FileManager.default.contents(atPath: tree.absolutePath(stamp.path)) {
                    decoded = decoder.decode(data, path: display)
                    contentHash = Hex.encode(SHA256.hash(data: data))
                } else {
                    decoded = DecodedJobFile(job: nil, diagnostics: [
                        .init(path: display, line: 1, column: 1, message: "cannot read file"),
                    ], idLine: 1, idColumn: 1)
                    contentHash = ""
                }
                results.set(index, CachedFile(stamp: stamp, decoded: decoded, contentHash: contentHash))
                index += workers
            }
        }
        return results.values()
    }

    /// A warning on each file whose key hash another file has too: a JSON
    /// submission names its job and works, but a ping URL carries only the
    /// key, which then names no single job (it answers 409).
    private func sharedKeyWarnings(_ files: [CachedFile]) -> [JobFileDiagnostic] {
        var byKey: [String: [CachedFile]] = [:]
        for file in files {
            if let hash = file.decoded.job?.apiKeySHA256 { byKey[hash, default: []].append(file) }
        }
        var warnings: [JobFileDiagnostic] = []
        for holders in byKey.values where holders.count > 1 {
            for file in holders {
                let others = holders.filter { $0.stamp.path != file.stamp.path }.map { other in
                    let mark = other.decoded.keyMark ?? (1, 1)
                    return "\(tree.displayPath(other.stamp.path)):\(mark.line):\(mark.column)"
                }.sorted()
                let mark = file.decoded.keyMark ?? (1, 1)
                warnings.append(.init(severity: .warning, path: tree.displayPath(file.stamp.path), line: mark.line, column: mark.column,
                                      field: JobFileKey.apiKeySHA256.rawValue,
                                      message: "the same api_key_sha256 as \(others.joined(separator: ", ")): ping URLs cannot be used with a key "
                                          + "shared by several jobs (they answer 409); JSON submissions, which name the job, work. "
                                          + "Give each job its own key (cronmetrics job rotate-key ID)"))
            }
        }
        return warnings
    }

    /// `depends_on` naming a job the tree does not have, and cycles (each
    /// reported at every file on it, naming the whole cycle).
    private func dependencyErrors(_ files: [CachedFile]) -> [JobFileDiagnostic] {
        var edges: [JobID: [JobID]] = [:]
        var fileOf: [JobID: CachedFile] = [:]
        for file in files {
            guard let job = file.decoded.job else { continue }
            edges[job.id] = job.dependsOn
            fileOf[job.id] = file
        }
        guard edges.values.contains(where: { !$0.isEmpty }) else { return [] }
        let graph = DependencyGraph(edges: edges)
        func diagnostic(_ id: JobID, _ message: String) -> JobFileDiagnostic? {
            guard let file = fileOf[id] else { return nil }
            let mark = file.decoded.dependsMark ?? (file.decoded.idLine, file.decoded.idColumn)
            return .init(path: tree.displayPath(file.stamp.path), line: mark.line, column: mark.column,
                         field: JobFileKey.dependsOn.rawValue, message: message)
        }
        var diagnostics = graph.unknown.compactMap { job, missing in
            let guess = Spelling.closest(to: missing.description, in: edges.keys.map(\.description)).map { " (did you mean '\($0)'?)" } ?? ""
            return diagnostic(job, "depends_on names job '\(missing)', which is not in the tree\(guess)")
        }
        for cycle in graph.cycles {
            for id in Set(cycle) {
                diagnostics += [diagnostic(id, "depends_on forms a cycle: \(DependencyGraph.describe(cycle))")].compactMap { $0 }
            }
        }
        return diagnostics
    }

    private func validate(_ files: [CachedFile], parsedCount: Int) -> TreeLoad {
        var diagnostics: [JobFileDiagnostic] = []
        var byID: [JobID: [CachedFile]] = [:]
        var jobs: [String: Job] = [:]
        for file in files {
            diagnostics += file.decoded.diagnostics
            if let job = file.decoded.job {
                byID[job.id, default: []].append(file)
                jobs[file.stamp.path] = job
            }
        }
        for (id, holders) in byID where holders.count > 1 {
            for file in holders {
                let others = holders.filter { $0.stamp.path != file.stamp.path }.map {
                    "\(tree.displayPath($0.stamp.path)):\($0.decoded.idLine):\($0.decoded.idColumn)"
                }
                diagnostics.append(.init(
                    path: tree.displayPath(file.stamp.path), line: file.decoded.idLine, column: file.decoded.idColumn,
                    field: JobFileKey.jobName.rawValue,
                    message: "duplicate job id '\(id)': also defined in \(others.joined(separator: ", "))"))
            }
        }
        diagnostics += sharedKeyWarnings(files)
        diagnostics += dependencyErrors(files)
        if let channels {
            for file in files {
                let named = (file.decoded.job?.notify ?? []).map { ($0, file.decoded.notifyMark, JobFileKey.notify) }
                    + (file.decoded.job?.escalate ?? []).flatMap(\.notify).map { ($0, file.decoded.escalateMark, JobFileKey.escalate) }
                for (name, mark, key) in named where !channels.contains(name) {
                    let mark = mark ?? (1, 1)
                    let known = channels.isEmpty ? "no channels are configured (notifications.channels)" : "configured: \(channels.sorted().joined(separator: ", "))"
                    let guess = Spelling.closest(to: name, in: channels).map { " (did you mean '\($0)'?)" } ?? ""
                    diagnostics.append(.init(path: tree.displayPath(file.stamp.path), line: mark.line, column: mark.column,
                                             field: key.rawValue, message: "unknown notification channel '\(name)'\(guess); \(known)"))
                }
            }
        }
        diagnostics.sort { ($0.path, $0.line, $0.column, $0.message) < ($1.path, $1.line, $1.column, $1.message) }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        var catalog: JobCatalog?
        if !hasErrors {
            var entries: [JobID: CatalogEntry] = [:]
            entries.reserveCapacity(byID.count)
            for (id, holders) in byID {
                guard let file = holders.first, let job = jobs[file.stamp.path] else { continue }
                entries[id] = CatalogEntry(job: job, path: file.stamp.path, contentHash: file.contentHash)
            }
            catalog = JobCatalog(entries: entries)
        }
        return TreeLoad(catalog: catalog, diagnostics: diagnostics, jobCount: jobs.count,
                        fileCount: files.count, parsedCount: parsedCount)
    }
}
