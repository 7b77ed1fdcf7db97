-- Scenario 6, national: the summary and reoffending statistics of every area together
-- (scope=national, the national commissioner's) over the last ten years, alternately: the 120
-- calendar months to today, the longest period the API accepts. The token is of the first area;
-- the national scope does not depend on it.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
local now = os.time()
local to = os.date("!%Y-%m-%d", now)
local t = os.date("!*t", now)
local first = (t.year - 10) * 12 + t.month -- months since year 0, 119 before this one
local from = string.format("%04d-%02d-01", math.floor(first / 12), first % 12 + 1)
local n = 0
request = function()
  n = n + 1
  local route = n % 2 == 0 and "/v1/stats/summary" or "/v1/stats/reoffending"
  return wrk.format("GET", route .. "?scope=national&from=" .. from .. "&to=" .. to,
                    {["Authorization"] = C.auth("national_commissioner", 1)})
end
setup = C.setup
response = C.count_shed
done = C.done
