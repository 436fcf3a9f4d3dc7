-- wrk script: POST /v1/sync as many browsers would send it (sync protocol v1, JSON): each request
-- is one device's next delta of 3 events (a page view, a product view, an add to cart), with its
-- own device token and profile, `since` = the version its previous sync produced.
-- Environment: LOAD_DEVICES (devices per wrk thread, default 2000), LOAD_RUN (a tag that keeps
-- ids of separate runs apart), LOAD_KEY (publishable key, default pk_demo).
dofile(os.getenv("LOAD_DIR") .. "/common.lua")

local devices = tonumber(os.getenv("LOAD_DEVICES") or "2000")
local run = os.getenv("LOAD_RUN") or "r0"
local key = os.getenv("LOAD_KEY") or "pk_demo"
local headers = { ["Content-Type"] = "application/json" }
local items = {
  { "ethiopian-yirgacheffe", "Ethiopian Yirgacheffe", "coffee/single-origin", "14.5" },
  { "house-espresso", "House Espresso Blend", "coffee/blend", "12.5" },
  { "kenya-aa", "Kenya AA", "coffee/single-origin", "16" },
  { "sencha", "Japanese Sencha", "tea/green", "9.75" },
}
local n = 0       -- requests made by this thread
local syncs = {}  -- per device: syncs sent so far

function init(args)
  for d = 0, devices - 1 do syncs[d] = 0 end
end

function request()
  local d = n % devices
  n = n + 1
  local k = syncs[d]
  syncs[d] = k + 1
  local dev = string.format("%s_%d_%d", run, thread_id, d)
  local it = items[(d + k) % #items + 1]
  local ts = 1790000000000 + k * 60000 + d
  local path = "/products/" .. it[1] .. ".html"
  local item = string.format('{"id":"%s","title":"%s","category":"%s","price":%s}', it[1], it[2], it[3], it[4])
  local body = string.format(
    '{"v":1,"key":"%s","token":"t_load_device_%s","since":%d,"delta":{"profile":"a_%s","replica":"r_%s","upto":%d,"events":[' ..
    '{"id":"%s.%d.1","type":"page_view","ts":%d,"channel":"web","path":"%s","props":{"title":"%s"}},' ..
    '{"id":"%s.%d.2","type":"product_view","ts":%d,"channel":"web","item":%s,"path":"%s"},' ..
    '{"id":"%s.%d.3","type":"add_to_cart","ts":%d,"channel":"web","lines":[{"id":"%s","title":"%s","category":"%s","price":%s,"qty":1}],"path":"%s"}]}}',
    key, dev, k, dev, dev, 3 * k + 3,
    dev, k, ts, path, it[2],
    dev, k, ts + 3, item, path,
    dev, k, ts + 30000, it[1], it[2], it[3], it[4], path)
  return wrk.format("POST", "/v1/sync", headers, body)
end
