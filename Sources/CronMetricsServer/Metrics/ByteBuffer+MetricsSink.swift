import CronMetricsCore
import NIOCore

/// Scrapes render straight into the response's buffer: a large exposition is not copied twice.
extension ByteBuffer: MetricsSink {
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        writeBytes(bytes)
    }
}
