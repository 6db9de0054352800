/// The character rules for `job_name` and `host`.
public enum Identifier {
    public static let maxLength = 128

    /// `[A-Za-z0-9_.-]{1,128}`, and not starting with `.`: a leading dot would make
    /// the job's own file a dotfile, which the tree walk ignores.
    public static func isValid(_ text: String) -> Bool {
        problem(text) == nil
    }

    /// Why `text` is not a valid identifier, or nil when it is.
    public static func problem(_ text: String) -> String? {
        let bytes = text.utf8
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > maxLength { return "must be at most \(maxLength) characters" }
        for byte in bytes where !isAllowed(byte) {
            return "may only contain letters, digits, '_', '.' and '-'"
        }
        if bytes.first == UInt8(ascii: ".") { return "must not start with '.'" }
        return nil
    }

    @inline(__always)
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
