import Foundation
import Testing
@testable import CronMetricsCore

/// `Job` keeps its fields in one shared box (copy on write): copies must
/// still behave as values.
@Suite("Job as a value: copies share a box until one changes")
struct JobValueTests {
    static func job() -> Job {
        Job(jobName: "backup", host: "db-1", threshold: JobDuration(seconds: 600), labels: ["team": "dba"], notify: ["ops"])
    }

    @Test("changing a copy leaves the original as it was, whichever field changes")
    func copies() {
        let original = Self.job()
        var copy = original
        #expect(copy.storage === original.storage, "a copy shares the box")
        copy.labels["team"] = "web"
        copy.status = .paused
        #expect(copy.storage !== original.storage)
        #expect(original.labels == ["team": "dba"])
        #expect(original.status == .active)
        #expect(copy.labels == ["team": "web"])
        #expect(copy.status == .paused)
        #expect(copy != original)
        // A job no other value shares changes in place.
        var alone = Self.job()
        let box = ObjectIdentifier(alone.storage)  // no second reference held
        alone.notify = nil
        #expect(ObjectIdentifier(alone.storage) == box)
        #expect(alone.notify == nil)
    }

    @Test("equal fields in separate boxes are equal and hash alike; a set keeps one")
    func equality() {
        let first = Self.job(), second = Self.job()
        #expect(first.storage !== second.storage)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
        var third = second
        third.threshold = JobDuration(seconds: 601)
        #expect(Set([first, second, third]).count == 2)
    }
}
