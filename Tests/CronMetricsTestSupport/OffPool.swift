import Foundation

/// Runs blocking work (a child process and its wait) on a thread of its own:
/// a blocking wait on the concurrency pool, which has a thread per core,
/// starves every other test running at the same time, and the server under test.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
