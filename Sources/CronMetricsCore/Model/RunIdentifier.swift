/// The rules for a run id (`run_id`, `?rid=`): 1 to 128 of `A-Z a-z 0-9 . _ : -`,
/// so a UUID, a timestamp or a cron host's own counter will do.
public enum RunIdentifier {
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy {
            Identifier.isAllowed($0) || $0 == UInt8(ascii: ":")
        }
    }
}
