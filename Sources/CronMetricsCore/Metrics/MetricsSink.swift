/// Where rendered exposition bytes go: an array in the core and its tests, the
/// response's own buffer in the server (so a large scrape is not copied twice).
public protocol MetricsSink {
    mutating func append(bytes: UnsafeRawBufferPointer)
}

extension MetricsSink {
    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(bytes: $0) }
    }
}

extension Array: MetricsSink where Element == UInt8 {
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }
}
