import Foundation

/// One job's series text, prepared when the job, its state or its verdict
/// changes; a scrape copies these bytes and formats nothing.
///
/// One buffer holds both the table of where each family's lines start and
/// the lines: one heap object per job whatever the number of families (a
/// fixed-size vector beside the text held 16 offsets, one more family than
/// there were, and a second new family would have trapped the server).
public struct JobSeries: Sendable {
    /// Families, and the table's size: a start per family and the end.
    static let families = JobFamily.allCases.count
    static let tableBytes = (families + 1) * MemoryLayout<UInt32>.size

    /// The table (`families + 1` little-endian `UInt32` byte positions in
    /// this buffer), then the lines of every family, back to back.
    private(set) var storage: [UInt8] = Self.emptyStorage

    private static let emptyStorage: [UInt8] = {
        var bytes = [UInt8](repeating: 0, count: tableBytes)
        let end = UInt32(tableBytes)
        for index in 0...families { write(end, at: index, into: &bytes) }
        return bytes
    }()

    public init() {}

    /// Where family `index`'s lines start in ``storage`` (`index == families`: the end).
    @inline(__always)
    func start(_ index: Int) -> Int {
        storage.withUnsafeBufferPointer { Self.start(index, in: $0) }
    }

    /// ``start(_:)`` read from the storage's bytes (a loop over families reads them once).
    @inline(__always)
    static func start(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        Int(UInt32(littleEndian: UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
    }

    /// The lines of every family, back to back.
    public var text: ArraySlice<UInt8> { storage[Self.tableBytes...] }

    /// Family `family`'s lines (possibly none).
    public func lines(_ family: JobFamily) -> ArraySlice<UInt8> { lines(family.rawValue) }

    /// The lines of the family whose raw value is `index`.
    @inline(__always)
    func lines(_ index: Int) -> ArraySlice<UInt8> { storage[start(index)..<start(index + 1)] }

    /// A job's series from its lines, family by family (in ``JobFamily`` order).
    init(families: [ArraySlice<UInt8>]) {
        precondition(families.count == Self.families)
        var bytes = [UInt8](repeating: 0, count: Self.tableBytes)
        bytes.reserveCapacity(Self.tableBytes + families.reduce(0) { $0 + $1.count })
        for (index, lines) in families.enumerated() {
            Self.write(UInt32(bytes.count), at: index, into: &bytes)
            bytes += lines
        }
        Self.write(UInt32(bytes.count), at: Self.families, into: &bytes)
        storage = bytes
    }

    private static func write(_ value: UInt32, at index: Int, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (offset, byte) in raw.enumerated() { bytes[index * 4 + offset] = byte }
        }
    }

    /// Renders every family of one job; `durations`: its histogram too.
    public init(job: Job, state: JobState, verdict: Verdict, durations: Bool = false) {
        var text = [UInt8](repeating: 0, count: Self.tableBytes)
        text.reserveCapacity(1024)
        // `{job_name="…",host="…"`: every family starts with these two labels.
        var base: [UInt8] = Array("{job_name=\"".utf8)
        PrometheusText.appendEscaped(job.jobName, to: &base)
        base += Array("\",host=\"".utf8)
        PrometheusText.appendEscaped(job.host, to: &base)
        base.append(UInt8(ascii: "\""))

        func line(_ family: JobFamily, _ value: Double?) {
            guard let value else { return }
            text += Array(family.name.utf8)
            text += base
            text += Array("} ".utf8)
            PrometheusText.appendNumber(value, to: &text)
            text.append(UInt8(ascii: "\n"))
        }
        for family in JobFamily.allCases {
            Self.write(UInt32(text.count), at: family.rawValue, into: &text)
            switch family {
            case .status:
                text += Array(family.name.utf8)
                text += base
                for name in job.labels.keys.sorted() {
                    text += Array(",\(name)=\"".utf8)
                    PrometheusText.appendEscaped(job.labels[name] ?? "", to: &text)
                    text.append(UInt8(ascii: "\""))
                }
                text += Array(",status=\"\(verdict.status.rawValue)\"} ".utf8)
                PrometheusText.appendInteger(Int64(verdict.status.value), to: &text)
                text.append(UInt8(ascii: "\n"))
            case .lastRun: line(family, state.lastRunAt?.timeIntervalSince1970)
            case .lastSuccess: line(family, state.lastSuccessAt?.timeIntervalSince1970)
            case .lastFailure: line(family, state.lastFailureAt?.timeIntervalSince1970)
            case .lastDuration: line(family, state.lastStatus == nil ? nil : state.lastDuration)
            case .lastExitCode: line(family, state.lastExitCode.map(Double.init))
            case .lastStart: line(family, state.lastStartAt?.timeIntervalSince1970)
            case .running: line(family, Double(state.openRuns.count))
            case .inMaintenanceWindow: line(family, job.maintenanceWindows.isEmpty ? nil : (verdict.window == nil ? 0 : 1))
            case .deadline: line(family, verdict.deadline?.timeIntervalSince1970)
            case .nextExpected: line(family, verdict.nextExpected?.timeIntervalSince1970)
            case .threshold: line(family, job.threshold.map { Double($0.seconds) })
            case .runs: line(family, Double(state.runsTotal))
            case .failures: line(family, Double(state.failuresTotal))
            case .missedDeadlines: line(family, Double(state.missedDeadlinesTotal))
            case .timeouts: line(family, Double(state.timeoutsTotal))
            case .durations:
                guard durations else { break }
                let histogram = state.durationHistogram ?? DurationHistogram()
                var cumulative = 0
                for (index, count) in histogram.counts.enumerated() {
                    cumulative += count
                    text += Array("cronjob_duration_seconds_bucket".utf8)
                    text += base
                    text += Array(",le=\"".utf8)
                    if index < DurationHistogram.bounds.count {
                        PrometheusText.appendNumber(DurationHistogram.bounds[index], to: &text)
                    } else {
                        text += Array("+Inf".utf8)
                    }
                    text += Array("\"} ".utf8)
                    PrometheusText.appendInteger(Int64(cumulative), to: &text)
                    text.append(UInt8(ascii: "\n"))
                }
                for (suffix, value) in [("_sum", histogram.sum), ("_count", Double(cumulative))] {
                    text += Array("cronjob_duration_seconds\(suffix)".utf8)
                    text += base
                    text += Array("} ".utf8)
                    PrometheusText.appendNumber(value, to: &text)
                    text.append(UInt8(ascii: "\n"))
                }
            }
        }
        Self.write(UInt32(text.count), at: Self.families, into: &text)
        // Kept at its exact size: the 1 KiB reserved for rendering was half of
        // every job's series memory (0.5 KB a job, measured in performance.md).
        storage = [UInt8](unsafeUninitializedCapacity: text.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: text)
        }
    }
}
