-- Scenario 1: GET /v1/referrals/{id}, a random referral of a random area, as its coordinator.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
math.randomseed(os.time())
request = function()
  local a = math.random(C.areas)
  return wrk.format("GET", "/v1/referrals/" .. C.id(0, a, math.random(C.kmin)),
                    {["Authorization"] = C.auth("coordinator", a)})
end
done = C.done
