import Foundation

extension LiveState {
    /// The per-job part of `/metrics`, current as of `now`; with `shard`,
    /// only the jobs of that shard (``MetricsShard``).
    public func renderJobMetrics(now: Date, shard: MetricsShard? = nil, into out: inout some MetricsSink) {
        let laidOut = storage.withLock { storage in
            Self.refresh(&storage, now: now)
            let laidOut = storage.series.refresh()
            // A shard is a scattered 1/N of every block's jobs: its lines are
            // copied job by job; the whole exposition copies blocks.
            let members = shard.map { shard in storage.entries.indices.filter { shard.contains(hash: storage.shardHashes[$0]) } }
            var header: [UInt8] = []
            for family in JobFamily.allCases {
                header.removeAll(keepingCapacity: true)
                PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &header)
                out.append(header)
                if let members {
                    for index in members {
                        storage.series.lines(family, job: index).withUnsafeBytes { out.append(bytes: $0) }
                    }
                } else {
                    for block in storage.series.blocks {
                        block.append(family, to: &out)
                    }
                }
            }
            // `cronjob_total`: the jobs exported (in the shard, for a shard).
            let exported = members.map { $0.reduce(0) { $0 + (storage.entries[$1].verdict == nil ? 0 : 1) } }
                ?? storage.entries.reduce(0) { $0 + ($1.verdict == nil ? 0 : 1) }
            var tail: [UInt8] = []
            PrometheusText.appendHeader(name: "cronjob_total", help: "Jobs exported (every job that is not retired).", type: "gauge", to: &tail)
            tail += Array("cronjob_total ".utf8)
            PrometheusText.appendInteger(Int64(exported), to: &tail)
            tail.append(UInt8(ascii: "\n"))
            out.append(tail)
            return laidOut
        }
        if laidOut >= SeriesTable.releaseAfter { Allocator.releaseFreeMemory() }
    }
}
