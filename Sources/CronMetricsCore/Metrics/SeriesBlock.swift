/// The prepared series of a run of consecutive jobs, laid out family by family
/// so a scrape copies one segment per block and family.
///
/// Why: with each job's text in its own buffer, a scrape made a pass per
/// family over every job's buffer; on 10,000 jobs that is cache-miss bound
/// (17 ms for 7.5 MB with eleven families). Blocks are rebuilt only when one of their jobs
/// changed, within cache.
///
/// A block is the only copy of its jobs' text: where each job's lines of
/// each family start is kept beside it (`positions`), so one job's lines are
/// found without a buffer of its own. Keeping both (a buffer per job and the
/// blocks) was a third of the server's memory at 100,000 jobs.
struct SeriesBlock: Sendable {
    /// Jobs per block: small enough that rebuilding one stays in cache and a
    /// submission invalidates little, large enough that a scrape makes few copies.
    static let size = 256

    private(set) var text: [UInt8] = []
    /// `positions[family * (jobs + 1) + job]`: where `job`'s lines of `family`
    /// start in `text`; `job == jobs` is where the family ends.
    private(set) var positions: [UInt32] = []
    private(set) var jobs = 0
    var isDirty = true

    init() {}

    /// Job `job`'s lines of `family`.
    @inline(__always)
    func lines(_ family: Int, job: Int) -> ArraySlice<UInt8> {
        let base = family * (jobs + 1) + job
        return text[Int(positions[base])..<Int(positions[base + 1])]
    }

    /// Job `job`'s series as a buffer of its own (``JobSeries``).
    func series(job: Int) -> JobSeries {
        JobSeries(families: (0..<JobFamily.allCases.count).map { lines($0, job: job) })
    }

    /// Lays the block out again from each job's lines: `piece(job, family)`.
    mutating func rebuild(jobs count: Int, _ piece: (Int, Int) -> ArraySlice<UInt8>) {
        // Job-major reads with raw copies: each job's text is read once and
        // its families scattered to their precomputed places. A pass per
        // family with Array appends was most of the cost of a scrape after a change.
        let families = JobFamily.allCases.count
        let stride = count + 1
        var newPositions = [UInt32](repeating: 0, count: families * stride)
        var familyLength = [Int](repeating: 0, count: families)
        for job in 0..<count {
            for family in 0..<families {
                let length = piece(job, family).count
                newPositions[family * stride + job + 1] = UInt32(length)
                familyLength[family] += length
            }
        }
        precondition(familyLength.reduce(0, +) <= Int(UInt32.max), "a block's text outgrew 4 GiB")
        var start = 0
        for family in 0..<families {
            // Lengths to starts: a running sum from the family's start.
            var cursor = start
            newPositions[family * stride] = UInt32(cursor)
            for job in 0..<count {
                cursor += Int(newPositions[family * stride + job + 1])
                newPositions[family * stride + job + 1] = UInt32(cursor)
            }
            start += familyLength[family]
        }
        var newText = [UInt8](repeating: 0, count: start)
        newText.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            for job in 0..<count {
                for family in 0..<families {
                    let source = piece(job, family)
                    guard !source.isEmpty else { continue }
                    source.withUnsafeBytes { bytes in
                        (base + Int(newPositions[family * stride + job])).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                    }
                }
            }
        }
        text = newText
        positions = newPositions
        jobs = count
        isDirty = false
    }

    /// Appends every line of `family` in this block.
    @inline(__always)
    func append(_ family: JobFamily, to out: inout some MetricsSink) {
        guard jobs > 0 else { return }
        let base = family.rawValue * (jobs + 1)
        let start = Int(positions[base]), end = Int(positions[base + jobs])
        guard end > start else { return }
        text.withUnsafeBytes { out.append(bytes: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }
}

/// Every job's prepared series, by the job's position in the live state:
/// in ``SeriesBlock``s, and, for jobs whose series changed since their block
/// was last laid out, in `pending` until the next scrape rebuilds it.
struct SeriesTable: Sendable {
    private(set) var blocks: [SeriesBlock] = []
    private var pending: [Int: JobSeries] = [:]
    private(set) var count = 0

    init() {}

    /// `count` jobs, each with `series(index)` (laid out at once).
    init(count: Int, _ series: (Int) -> JobSeries) {
        self.count = count
        let blockCount = (count + SeriesBlock.size - 1) / SeriesBlock.size
        blocks.reserveCapacity(blockCount)
        for block in 0..<blockCount {
            let first = block * SeriesBlock.size
            let members = (first..<min(first + SeriesBlock.size, count)).map(series)
            var laidOut = SeriesBlock()
            laidOut.rebuild(jobs: members.count) { job, family in members[job].lines(family) }
            blocks.append(laidOut)
        }
    }

    /// Job `index`'s series changed: kept aside, its block rebuilt at the next ``refresh()``.
    mutating func set(_ index: Int, _ series: JobSeries) {
        pending[index] = series
        blocks[index / SeriesBlock.size].isDirty = true
    }

    /// Job `index`'s series as a buffer of its own.
    func series(_ index: Int) -> JobSeries {
        pending[index] ?? blocks[index / SeriesBlock.size].series(job: index % SeriesBlock.size)
    }

    /// Lays out every block with a changed job again.
    /// - Returns: how many changed jobs it laid out.
    @discardableResult
    mutating func refresh() -> Int {
        let changed = pending.count
        guard changed > 0 else { return 0 }
        for block in blocks.indices where blocks[block].isDirty {
            let first = block * SeriesBlock.size
            let old = blocks[block]
            // One lookup a job, not one a job and family.
            let fresh = (0..<old.jobs).map { pending[first + $0] }
            blocks[block].rebuild(jobs: old.jobs) { job, family in
                fresh[job]?.lines(family) ?? old.lines(family, job: job)
            }
        }
        pending = [:]
        return changed
    }

    /// Changed jobs laid out at once beyond which the freed buffers are
    /// given back to the system (``Allocator/releaseFreeMemory()``): after a
    /// start, a large reload or a burst of results, they are tens of megabytes.
    static let releaseAfter = 10_000

    /// Job `index`'s lines of `family`; call ``refresh()`` first.
    @inline(__always)
    func lines(_ family: JobFamily, job index: Int) -> ArraySlice<UInt8> {
        blocks[index / SeriesBlock.size].lines(family.rawValue, job: index % SeriesBlock.size)
    }
}
