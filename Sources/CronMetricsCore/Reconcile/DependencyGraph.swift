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

    /// Every cycle, once, each as the path from its smallest id back to it
    /// (`[a, b, c, a]`); deterministic whatever the order of the dictionary.
    public var cycles: [[JobID]] {
        var state: [JobID: Bool] = [:]  // false: on the current path, true: done
        var path: [JobID] = []
        var found: [[JobID]] = []
        var seen = Set<[JobID]>()
        func visit(_ node: JobID) {
            state[node] = false
            path.append(node)
            for next in edges[node, default: []] where edges[next] != nil {
                switch state[next] {
                case nil: visit(next)
                case false?:
                    guard let start = path.lastIndex(of: next) else { continue }
                    var cycle = Array(path[start...])
                    // Rotated to start at its smallest id, so it is reported once.
                    if let smallest = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) {
                        cycle = Array(cycle[smallest...] + cycle[..<smallest])
                    }
                    if seen.insert(cycle).inserted { found.append(cycle + [cycle[0]]) }
                case true?: continue
                }
            }
            path.removeLast()
            state[node] = true
        }
        for node in edges.keys.sorted() where state[node] == nil {
            visit(node)
        }
        return found
    }

    /// How a cycle is written in messages: `a@h → b@h → a@h`.
    public static func describe(_ cycle: [JobID]) -> String {
        cycle.map(\.description).joined(separator: " → ")
    }
}
