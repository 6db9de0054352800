import Foundation

extension LiveState {
    /// The per-job part of `/metrics`, current as of `now`.
    public func renderJobMetrics(now: Date, into out: inout some MetricsSink) {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            for index in storage.blocks.indices where storage.blocks[index].isDirty {
                let start = index * SeriesBlock.size
                let end = min(start + SeriesBlock.size, storage.series.count)
                storage.blocks[index].rebuild(from: storage.series[start..<end])
            }
            var header: [UInt8] = []
            for family in JobFamily.allCases {
                header.removeAll(keepingCapacity: true)
                PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &header)
                out.append(header)
                for block in storage.blocks {
                    block.append(family, to: &out)
                }
            }
            let exported = storage.entries.reduce(0) { $0 + ($1.verdict == nil ? 0 : 1) }
            var tail: [UInt8] = []
            PrometheusText.appendHeader(name: "cronjob_total", help: "Jobs exported (every job that is not retired).", type: "gauge", to: &tail)
            tail += Array("cronjob_total ".utf8)
            PrometheusText.appendInteger(Int64(exported), to: &tail)
            tail.append(UInt8(ascii: "\n"))
            out.append(tail)
        }
    }
}
