import ArgumentParser
import Foundation

/// The key a `--server` command sends: `--admin-key`, else `$CRONMETRICS_ADMIN_KEY`.
/// - Parameter readOnly: whether a read-only key is enough (the refusal says so).
/// - Throws: a usage error (exit 2) when there is none.
func serverKey(_ given: String?, readOnly: Bool) throws -> String {
    guard let key = given ?? ProcessInfo.processInfo.environment["CRONMETRICS_ADMIN_KEY"], !key.isEmpty else {
        throw ValidationError(readOnly ? "--server needs a key: --admin-key or CRONMETRICS_ADMIN_KEY (a read-only key is enough)"
                                       : "--server needs an admin key: --admin-key or CRONMETRICS_ADMIN_KEY")
    }
    return key
}
