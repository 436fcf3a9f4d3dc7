-- wrk script: GET /v1/profiles/{id} with the secret key, over the profiles the sync phase made
-- (a_<LOAD_RUN>_<thread>_<device>, LOAD_THREADS x LOAD_DEVICES of them), in turn.
dofile(os.getenv("LOAD_DIR") .. "/common.lua")

local devices = tonumber(os.getenv("LOAD_DEVICES") or "2000")
local sync_threads = tonumber(os.getenv("LOAD_THREADS") or "2")
local run = os.getenv("LOAD_RUN") or "r0"
local headers = { ["Authorization"] = "Bearer " .. (os.getenv("LOAD_SECRET") or "sk_demo") }
local n = 0

function request()
  local i = (n * 7919 + thread_id * 104729) % (devices * sync_threads)
  n = n + 1
  local path = string.format("/v1/profiles/a_%s_%d_%d", run, i % sync_threads, math.floor(i / sync_threads))
  return wrk.format("GET", path, headers)
end
