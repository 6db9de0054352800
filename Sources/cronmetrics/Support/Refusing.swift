import ArgumentParser
import CronMetricsCore

/// Runs a job command's work; a refused change prints its error and exits 1.
func refusing<T>(_ body: () async throws(JobEditError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}
