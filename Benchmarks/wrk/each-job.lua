-- Shared by the wrk scripts: each thread walks its own stride of the
-- generated jobs (scripts/gen-jobs.py), so every job gets requests.
-- Load with dofile("Benchmarks/wrk/each-job.lua") from the repository root.
local threads = {}
counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  jobs = tonumber(os.getenv("JOBS") or "10000")
  nthreads = tonumber(os.getenv("THREADS") or "2")
end

-- The next job's index for this thread.
function next_job()
  local i = (counter * nthreads + tid) % jobs
  counter = counter + 1
  return i
end
