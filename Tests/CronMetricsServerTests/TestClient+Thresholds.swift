import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

extension TestClientProtocol {
    /// Every job's `cronjob_threshold_seconds` from one scrape, by id.
    func thresholds() async throws -> [String: String] {
        var result: [String: String] = [:]
        for line in try await metrics().split(separator: "\n") where line.hasPrefix("cronjob_threshold_seconds{") {
            guard let nameStart = line.range(of: "job_name=\""), let hostStart = line.range(of: "\",host=\""),
                  let end = line.range(of: "\"} ") else { continue }
            let name = line[nameStart.upperBound..<hostStart.lowerBound]
            let host = line[hostStart.upperBound..<end.lowerBound]
            result["\(name)@\(host)"] = String(line[end.upperBound...])
        }
        return result
    }
}
