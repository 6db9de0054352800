/// The `depends_on` edges of a tree, checked as a whole: every id must name
/// a job of the tree, and no chain may lead back to where it started (a
/// cycle would hold its jobs' alerts on each other for ever).
public struct DependencyGraph: Sendable {
    public let edges: [JobID: [JobID]]

    public init(edges: [JobID: [JobID]]) {
        self.edges = edges
    }

    /// Each dependency on a job that is not in the tree: (the job, the id it names).
    public var unknown: [(job: JobID, missing: JobID)] {
        edges.keys.sorted().flatMap { job in
            edges[job, default: []].filter { edges[$0] == nil }.map { (job, $0) }
        }
    }

    /// Cycles, each once, as the path from its smallest id back to it
    /// (`[a, b, a]`); deterministic whatever the order of the dictionary.
    /// A depth-first search reports the cycles it closes: whenever the
    /// graph has a cycle, at least one is reported (so the tree is refused),
    /// not necessarily every one through shared jobs. Iterative: a chain of
    /// a million jobs does not exhaust the stack.
    public var cycles: [[JobID]] {
        var done = Set<JobID>()
        var onPath = Set<JobID>()
        var found: [[JobID]] = []
        var seen = Set<[JobID]>()
        for root in edges.keys.sorted() where !done.contains(root) {
            // Each frame: a job and the index of its next edge to follow.
            var stack: [(node: JobID, next: Int)] = [(root, 0)]
            onPath.insert(root)
            while let top = stack.last {
                let targets = edges[top.node, default: []]
                guard top.next < targets.count else {
                    stack.removeLast()
                    onPath.remove(top.node)
                    done.insert(top.node)
                    continue
                }
                stack[stack.count - 1].next += 1
                let next = targets[top.next]
                guard edges[next] != nil, !done.contains(next) else { continue }
                if onPath.contains(next) {
                    guard let start = stack.lastIndex(where: { $0.node == next }) else { continue }
                    var cycle = stack[start...].map(\.node)
                    // Rotated to start at its smallest id, so it is reported once.
                    if let smallest = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) {
                        cycle = Array(cycle[smallest...] + cycle[..<smallest])
                    }
                    if seen.insert(cycle).inserted { found.append(cycle + [cycle[0]]) }
                    continue
                }
                stack.append((next, 0))
                onPath.insert(next)
            }
        }
        return found
    }

    /// How a cycle is written in messages: `a@h → b@h → a@h`.
    public static func describe(_ cycle: [JobID]) -> String {
        cycle.map(\.description).joined(separator: " → ")
    }
}
