-- GET /api/job/{id}/stats for generated jobs in turn (window from WINDOW, default 90d).
dofile("Benchmarks/wrk/each-job.lua")
local window = os.getenv("WINDOW") or "90d"

function request()
  local i = next_job()
  return wrk.format("GET", string.format("/api/job/job%06d@host%03d/stats?window=%s", i, i % 500, window),
    {["Authorization"] = "Bearer e2e-admin"})
end
