/// Prometheus label-name rules for the labels a job file may declare.
public enum LabelName {
    /// Names cronmetrics sets itself on `cronjob_status`.
    public static let reserved: Set<String> = ["job_name", "host", "status"]

    /// Why `name` cannot be a job label, or nil when it can.
    public static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let isValid = !bytes.isEmpty && bytes.enumerated().allSatisfy { index, byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return index > 0
            default:
                return false
            }
        }
        if !isValid {
            return "label name '\(name)' is invalid: label names must match [a-zA-Z_][a-zA-Z0-9_]*"
        }
        if name.hasPrefix("__") {
            return "label name '\(name)' must not start with '__' (reserved for Prometheus internals)"
        }
        if reserved.contains(name) {
            return "label name '\(name)' is reserved: job_name, host and status are set by cronmetrics"
        }
        return nil
    }
}
