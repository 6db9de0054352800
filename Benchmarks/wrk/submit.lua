-- POST /api/job-result for every generated job in turn.
dofile("Benchmarks/wrk/each-job.lua")

function request()
  local i = next_job()
  local body = string.format(
    '{"job_name":"job%06d","host":"host%03d","exit_code":%d,"duration":1.5,"output":"done"}',
    i, i % 500, (i % 7 == 0) and 1 or 0)
  return wrk.format("POST", "/api/job-result",
    {["X-API-Key"] = "bench-key-" .. i, ["Content-Type"] = "application/json"}, body)
end
