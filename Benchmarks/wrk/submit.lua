-- POST /api/job-result for the generated jobs (scripts/gen-jobs.py), each
-- thread walking its own stride so every job gets results.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  jobs = tonumber(os.getenv("JOBS") or "10000")
  nthreads = tonumber(os.getenv("THREADS") or "2")
end

function request()
  local i = (counter * nthreads + tid) % jobs
  counter = counter + 1
  local body = string.format(
    '{"job_name":"job%06d","host":"host%03d","exit_code":%d,"duration":1.5,"output":"done"}',
    i, i % 500, (i % 7 == 0) and 1 or 0)
  return wrk.format("POST", "/api/job-result",
    {["X-API-Key"] = "bench-key-" .. i, ["Content-Type"] = "application/json"}, body)
end
