-- Shared by the benchmark's wrk scripts (loaded with dofile). Configuration comes from the
-- environment that scripts/bench sets:
--   IJ_BENCH_TOKENS   file of "role area token" lines (a token per role and area)
--   IJ_BENCH_AREAS    number of areas; IJ_BENCH_PREFIX their code prefix (bench01 ...),
--                     IJ_BENCH_WORK_PREFIX that of the waiting work's areas (wait01 ...)
--   IJ_BENCH_KMIN     referrals per area that every area has (ids 00000000-AAAA-4000-8000-K)
--   IJ_BENCH_THREADS  wrk's -t, so that threads can take disjoint shares of one-off work
--   IJ_BENCH_OFFSET   where in the waiting work (1..per_area) this run starts
local C = {}
C.areas = tonumber(os.getenv("IJ_BENCH_AREAS") or "43")
C.prefix = os.getenv("IJ_BENCH_PREFIX") or "bench"
C.work_prefix = os.getenv("IJ_BENCH_WORK_PREFIX") or "wait"
C.kmin = tonumber(os.getenv("IJ_BENCH_KMIN") or "1000")
C.threads = tonumber(os.getenv("IJ_BENCH_THREADS") or "2")
C.offset = tonumber(os.getenv("IJ_BENCH_OFFSET") or "0")

C.tokens = {}
for line in io.lines(os.getenv("IJ_BENCH_TOKENS")) do
  local role, area, token = line:match("^(%S+) (%S+) (%S+)$")
  if role then
    C.tokens[role .. " " .. area] = token
  end
end

function C.area(a)
  return string.format("%s%02d", C.prefix, a)
end

-- The areas of the waiting work (work.sql), for the scenarios that use it up.
function C.work_area(a)
  return string.format("%s%02d", C.work_prefix, a)
end

function C.id(kind, a, k)
  return string.format("%08x-%04x-4000-8000-%012x", kind, a, k)
end

function C.auth(role, a, work)
  local area = work and C.work_area(a) or C.area(a)
  local t = C.tokens[role .. " " .. area]
  if not t then
    error("no " .. role .. " token for " .. area)
  end
  return "Bearer " .. t
end

-- wrk's setup() for scripts whose threads take disjoint shares: numbers the threads (the global
-- `tid` of each thread's script). Use as `setup = C.setup`.
local next_tid = 0
local threads = {}
function C.setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

-- For the statistics' scenarios: counts the requests turned away by design (503 with Retry-After:
-- more statistics requests at once than IJ_STATS_CONCURRENCY lets read and wait), so that the table
-- can show them apart from errors. Use as `response = C.count_shed` with `setup = C.setup`.
shed = 0
function C.count_shed(status, headers, body)
  if status == 503 and (headers["Retry-After"] or headers["retry-after"]) then
    shed = shed + 1
  end
end

-- The n-th piece of one-off work of this thread: the areas in turn, then the next number.
function C.share(tid, n)
  local g = tid + C.threads * n
  return (g % C.areas) + 1, math.floor(g / C.areas) + 1 + C.offset
end

function C.done(summary, latency, requests)
  local turned_away = 0
  for _, thread in ipairs(threads) do
    turned_away = turned_away + (tonumber(thread:get("shed")) or 0)
  end
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p95_ms=%.3f " ..
                         "p99_ms=%.3f non2xx=%d socket_errors=%d shed=%d\n",
    summary.requests, summary.duration / 1e6,
    (summary.requests - turned_away) / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status - turned_away,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    turned_away))
end

return C
