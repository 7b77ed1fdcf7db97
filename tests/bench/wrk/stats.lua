-- Scenario 6: the commissioners' summary and reoffending statistics of an area over a year (the
-- last twelve months, or a random earlier year), alternately.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
math.randomseed(os.time())
local now = os.time()
local n = 0
request = function()
  n = n + 1
  local a = math.random(C.areas)
  local back = math.random(0, 8)
  local to = os.date("!%Y-%m-%d", now - back * 365 * 86400)
  local from = os.date("!%Y-%m-%d", now - (back + 1) * 365 * 86400 + 86400)
  local route = n % 2 == 0 and "/v1/stats/summary" or "/v1/stats/reoffending"
  return wrk.format("GET", route .. "?from=" .. from .. "&to=" .. to,
                    {["Authorization"] = C.auth("commissioner", a)})
end
setup = C.setup
response = C.count_shed
done = C.done
