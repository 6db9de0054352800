import Hummingbird

/// The dashboard's stylesheet and script, built into the binary; open to
/// everyone (the sign-in page uses them).
struct DashboardAssetsController {
    let pages: DashboardPages

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/dashboard/assets/{name}") { _, context in
            pages.views.asset(context.parameters.get("name") ?? "")
                ?? pages.message(nil, status: .notFound, "Not found", "No such file.", back: "/dashboard")
        }
    }
}
