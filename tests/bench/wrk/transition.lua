-- Scenario 2: POST /v1/referrals/{id}/transitions, accepting referrals that wait (work.sql), each
-- once: the threads take disjoint shares.
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
setup = C.setup
local n = 0
local body = '{"event":"accept","hours_confirmed":7,"suitability_notes":"Suitable for outdoor work"}'
request = function()
  local a, j = C.share(tid, n)
  n = n + 1
  return wrk.format("POST", "/v1/referrals/" .. C.id(1, a, j) .. "/transitions",
                    {["Authorization"] = C.auth("coordinator", a, true), ["If-Match"] = '"1"',
                     ["Content-Type"] = "application/json"}, body)
end
done = C.done
