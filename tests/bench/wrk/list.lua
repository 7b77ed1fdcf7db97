-- Scenario 5: a list page with filters (state, ward, overdue) at depth: the cursor is a random
-- point one to nine years back, so the page starts deep in the area's history.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
math.randomseed(os.time())
local now = os.time()
local states = {"closed", "completed", "rejected", "withdrawn"}
request = function()
  local a = math.random(C.areas)
  local at = (now - math.random(365, 9 * 365) * 86400) * 1e6
  local path = string.format("/v1/referrals?state=%s&ward=ward-%02d&overdue=false&limit=50" ..
                             "&cursor=%.0f.ffffffff-ffff-4fff-bfff-ffffffffffff",
                             states[math.random(#states)], math.random(20), at)
  return wrk.format("GET", path, {["Authorization"] = C.auth("coordinator", a)})
end
done = C.done
