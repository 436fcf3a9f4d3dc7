-- Shared by the wrk scripts of tests/load: numbers each wrk thread, and prints one
-- machine-readable line at the end (read by tests/load/run):
--   RESULT requests=N seconds=S errors=E non2xx=X p50_us=.. p90_us=.. p99_us=.. max_us=..
-- `errors` counts connect, read, write and timeout errors; `non2xx` the answers that were not 2xx.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f errors=%d non2xx=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
