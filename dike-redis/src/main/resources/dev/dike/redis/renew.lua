-- renew.lua: renews every lease of one instance, in one call per renewal period, and its heartbeat.
--
-- KEYS[1]  instances  ZSET  instance id -> heartbeat expiry (ms, this server's clock)
-- KEYS[2]  epoch      STRING  names this data set; created from TIME when absent
-- KEYS[3], KEYS[4]    leases ZSET and limit STRING of the 1st limit; KEYS[5], KEYS[6] of the 2nd ...
-- ARGV[1]  instance id
-- ARGV[2]  lease time in milliseconds
-- ARGV[3]  the epoch the instance saw last ('' for none)
-- then, per limit in KEYS order: its limit as the instance knows it, the number n of its leases,
--      and n pairs: lease id, '1' if the lease was granted without this server (fallback) else '0'
--
-- Reply: { epoch, instances alive, 1 if every lease was re-asserted else 0,
--          then per limit: limit, leases in force, number m of lost leases, the m lost lease ids }
-- Re-assertion: when the epoch differs from ARGV[3] the data set is new (restart, failover, flush):
--          every lease is added back, and an absent limit is restored from ARGV, so no permit that an
--          instance still holds is lost or handed out twice. Otherwise only leases still present are
--          renewed (a missing one expired and may have been taken over: it is reported lost), and
--          fallback leases are added.
-- Invariant: renewal never grants a new permit; only re-assertion and fallback leases, which are
--          already running, may take the count of leases above the limit (docs/cluster.md).
-- Clock: TIME of this server only.
redis.replicate_commands()
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local leaseMs = tonumber(ARGV[2])
local keep = leaseMs * 3

local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = time[1] .. '.' .. time[2]
  redis.call('SET', KEYS[2], epoch)
end
local reassert = epoch ~= ARGV[3]
redis.call('PEXPIRE', KEYS[2], keep)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[1])
redis.call('PEXPIRE', KEYS[1], keep)
local alive = redis.call('ZCARD', KEYS[1])

local reply = { epoch, alive, reassert and 1 or 0 }
local arg = 4
for k = 3, #KEYS, 2 do
  local leases = KEYS[k]
  local limitKey = KEYS[k + 1]
  local knownLimit = ARGV[arg]
  local n = tonumber(ARGV[arg + 1])
  arg = arg + 2
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  local limit = tonumber(redis.call('GET', limitKey))
  if limit == nil then
    limit = tonumber(knownLimit)
    redis.call('SET', limitKey, limit)
  end
  redis.call('PEXPIRE', limitKey, keep)
  local lost = {}
  for i = 1, n do
    local id = ARGV[arg]
    local fallback = ARGV[arg + 1] == '1'
    arg = arg + 2
    if reassert or fallback or redis.call('ZSCORE', leases, id) then
      redis.call('ZADD', leases, now + leaseMs, id)
    else
      lost[#lost + 1] = id
    end
  end
  if redis.call('EXISTS', leases) == 1 then
    redis.call('PEXPIRE', leases, keep)
  end
  reply[#reply + 1] = limit
  reply[#reply + 1] = redis.call('ZCARD', leases)
  reply[#reply + 1] = #lost
  for _, id in ipairs(lost) do
    reply[#reply + 1] = id
  end
end
return reply
