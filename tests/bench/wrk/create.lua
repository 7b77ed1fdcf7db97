-- Scenario 3: POST /v1/referrals with an Idempotency-Key, a new person each time, in the waiting
-- work's areas (so that the history's areas keep their size for the other scenarios).
local C = dofile(os.getenv("IJ_BENCH_DIR") .. "/wrk/common.lua")
setup = C.setup
local n = 0
local run = os.getenv("IJ_BENCH_RUN") or tostring(os.time())
local day = os.date("!%Y-%m-%d", os.time() - 86400)
request = function()
  n = n + 1
  local a = ((tid + C.threads * n) % C.areas) + 1
  local key = string.format("bench-%s-%d-%d", run, tid, n)
  local body = string.format('{"person":{"name":"Bench Person %d","date_of_birth":"2003-04-05",' ..
    '"police_id":"BENCH/%s/%d/%d"},"offence":{"date":"%s","category":"asb","ward":"ward-01",' ..
    '"location":"Market Place"},"disposal":"community_resolution","consent_recorded":true,' ..
    '"hours_proposed":7}', n, run, tid, n, day)
  return wrk.format("POST", "/v1/referrals", {["Authorization"] = C.auth("officer", a, true),
                    ["Idempotency-Key"] = key, ["Content-Type"] = "application/json"}, body)
end
done = C.done
