import Foundation

extension LiveState {
    /// The per-job part of `/metrics`, current as of `now`; with `shard`,
    /// only the jobs of that shard (``MetricsShard``).
    public func renderJobMetrics(now: Date, shard: MetricsShard? = nil, into out: inout some MetricsSink) {
        let laidOut = storage.withLock { storage in
            Self.refresh(&storage, now: now)
            let laidOut = storage.series.refresh()
            if let shard {
                Self.render(&storage, shard: shard, into: &out)
                return laidOut
            }
            var header: [UInt8] = []
            for family in JobFamily.allCases {
                header.removeAll(keepingCapacity: true)
                PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &header)
                out.append(header)
                for block in storage.series.blocks {
                    block.append(family, to: &out)
                }
            }
            let exported = storage.entries.reduce(0) { $0 + ($1.verdict == nil ? 0 : 1) }
            Self.appendTotal(exported, to: &out)
            return laidOut
        }
        if laidOut >= SeriesTable.releaseAfter { Allocator.releaseFreeMemory() }
    }

    /// One shard's jobs, job by job from the blocks: a block holds every job
    /// of its run, and a shard is a scattered 1/N of them.
    private static func render(_ storage: inout Storage, shard: MetricsShard, into out: inout some MetricsSink) {
        var members: [Int] = []
        members.reserveCapacity(storage.entries.count / shard.count + 16)
        var exported = 0
        for index in storage.entries.indices where shard.contains(hash: storage.shardHashes[index]) {
            members.append(index)
            if storage.entries[index].verdict != nil { exported += 1 }
        }
        var header: [UInt8] = []
        for family in JobFamily.allCases {
            header.removeAll(keepingCapacity: true)
            PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &header)
            out.append(header)
            for index in members {
                storage.series.lines(family, job: index).withUnsafeBytes { out.append(bytes: $0) }
            }
        }
        appendTotal(exported, to: &out)
    }

    /// `cronjob_total`: the jobs exported (in the shard, for a shard).
    private static func appendTotal(_ exported: Int, to out: inout some MetricsSink) {
        var tail: [UInt8] = []
        PrometheusText.appendHeader(name: "cronjob_total", help: "Jobs exported (every job that is not retired).", type: "gauge", to: &tail)
        tail += Array("cronjob_total ".utf8)
        PrometheusText.appendInteger(Int64(exported), to: &tail)
        tail.append(UInt8(ascii: "\n"))
        out.append(tail)
    }
}
