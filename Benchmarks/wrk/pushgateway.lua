-- PUT one group per job to Pushgateway, with the same three series cronmetrics
-- keeps for it (status, last run time, last duration).
dofile("Benchmarks/wrk/each-job.lua")

function request()
  local i = next_job()
  local body = string.format(
    'cronjob_status{status="success"} 1\ncronjob_last_run_timestamp %d\ncronjob_last_duration_seconds 1.5\n',
    1790000000 + counter)
  return wrk.format("PUT", string.format("/metrics/job/job%06d/host/host%03d", i, i % 500),
    {["Content-Type"] = "text/plain; version=0.0.4"}, body)
end
