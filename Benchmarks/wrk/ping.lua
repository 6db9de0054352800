-- GET /ping/{key} for every generated job in turn, the way a crontab's
-- `curl -fsS -m 10 --retry 5 URL` does (Healthchecks' ping API).
dofile("Benchmarks/wrk/each-job.lua")

function request()
  return wrk.format("GET", "/ping/bench-key-" .. next_job())
end
