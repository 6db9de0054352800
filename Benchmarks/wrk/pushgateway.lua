-- PUT one group per job to Pushgateway, with the same three series cronmetrics
-- keeps for it (status, last run time, last duration).
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
    'cronjob_status{status="success"} 1\ncronjob_last_run_timestamp %d\ncronjob_last_duration_seconds 1.5\n',
    1790000000 + counter)
  return wrk.format("PUT", string.format("/metrics/job/job%06d/host/host%03d", i, i % 500),
    {["Content-Type"] = "text/plain; version=0.0.4"}, body)
end
