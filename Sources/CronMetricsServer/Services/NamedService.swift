import ServiceLifecycle

/// A service that describes itself by its name only.
///
/// The lifecycle library logs every service it starts with `"\(service)"`,
/// and a struct's default description prints every stored property: at
/// `log.level: debug` that was the whole configuration, secrets included.
protocol NamedService: Service, CustomStringConvertible {}

extension NamedService {
    var description: String { String(describing: Self.self) }
}
