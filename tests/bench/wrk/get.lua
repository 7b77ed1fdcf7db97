-- Scenario 1: GET /v1/referrals/{id}, a random referral of a random area, as its coordinator.
-- The request's text is what wrk.format makes (the request line, Host, Authorization, an empty
-- line), but the parts that depend only on the area are made once, in init: wrk.format builds a
-- table and formats each header on every call, and the load generator shares the machine's two
-- cores with the service and PostgreSQL, so its cost lowers the service's measured rate.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
math.randomseed(os.time())
local before, after = {}, {}
init = function()
  for a = 1, C.areas do
    -- the id up to its last part (C.id without its last 12 digits), and the rest of the request
    before[a] = "GET /v1/referrals/" .. C.id(0, a, 0):sub(1, -13)
    after[a] = string.format(" HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n\r\n",
                             wrk.headers["Host"], C.auth("coordinator", a))
  end
end
request = function()
  local a = math.random(C.areas)
  return before[a] .. string.format("%012x", math.random(C.kmin)) .. after[a]
end
done = C.done
