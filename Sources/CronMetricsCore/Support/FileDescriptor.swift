import Glibc

/// Writing to a file descriptor: what the atomic file write and the `run`
/// wrapper's output copy share.
public enum FileDescriptor {
    /// Writes every byte of `bytes` to `fd`, retrying after a signal.
    /// - Returns: 0, or the `errno` of the write that failed (what was
    ///   written before stays written).
    @discardableResult
    public static func writeAll(_ bytes: some Collection<UInt8>, to fd: Int32) -> Int32 {
        let result = bytes.withContiguousStorageIfAvailable { write($0, to: fd) }
        return result ?? Array(bytes).withUnsafeBufferPointer { write($0, to: fd) }
    }

    private static func write(_ buffer: UnsafeBufferPointer<UInt8>, to fd: Int32) -> Int32 {
        guard let base = buffer.baseAddress else { return 0 }
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}
