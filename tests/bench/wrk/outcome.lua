-- Scenario 4: POST /v1/bookings/{id}/outcome, attended_complied on a booking whose session ended
-- yesterday (work.sql): the 7 hours credited complete its referral. Each booking once.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
setup = C.setup
local n = 0
local body = '{"outcome":"attended_complied","behaviour":"good","work_quality":"good"}'
request = function()
  local a, j = C.share(tid, n)
  n = n + 1
  return wrk.format("POST", "/v1/bookings/" .. C.id(4, a, j) .. "/outcome",
                    {["Authorization"] = C.auth("coordinator", a, true), ["If-Match"] = '"1"',
                     ["Content-Type"] = "application/json"}, body)
end
done = C.done
