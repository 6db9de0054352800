/// One of `count` parts of the job series (`/metrics?shard=I/N`), as
/// kube-state-metrics shards objects: a job belongs to shard
/// `FNV-1a-64(id) mod count`, where `id` is `job_name@host` in UTF-8. The
/// hash is fixed (not Swift's per-process `Hasher`), so every replica and
/// every release puts a job in the same shard, and a job moves only when
/// `count` changes.
public struct MetricsShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The most shards a scrape may ask for.
    public static let maximumCount = 1_000

    public init?(index: Int, count: Int) {
        guard (1...Self.maximumCount).contains(count), (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `I/N` with `0 <= I < N <= 1000`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the job's series are in this shard.
    public func contains(_ id: JobID) -> Bool {
        contains(hash: Self.hash(id))
    }

    /// Whether a job whose ``hash(_:)`` is `hash` is in this shard.
    @inline(__always)
    public func contains(hash: UInt64) -> Bool {
        hash % UInt64(count) == UInt64(index)
    }

    /// FNV-1a, 64 bits, of `job_name@host`.
    public static func hash(_ id: JobID) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [id.jobName, "@", id.host] {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }
}
