-- acquire.lua: grants leases of one cluster limit, as many of those asked for as are free.
--
-- KEYS[1]  leases  ZSET  lease id -> expiry, in milliseconds of this server's clock
-- KEYS[2]  limit   STRING  the cluster limit; set to ARGV[2] when absent (the first instance's wins)
-- KEYS[3]  fence   STRING  grants so far; each grant's fencing token is the value after its INCR
-- KEYS[4]  epoch   STRING  names this data set; created from TIME when absent (empty server, restart)
-- KEYS[5]  waiting STRING  present while an instance has calls waiting for a permit of this limit
-- ARGV[1]  lease time in milliseconds
-- ARGV[2]  the limit the calling instance is configured with
-- ARGV[3]  '1' if the calls not granted now will wait for a permit, else '0'
-- ARGV[4..] the lease ids to grant, in order; a grant takes the first ids not yet granted
--
-- Reply: { limit, leases in force after this call, epoch, token of the 1st grant, token of the 2nd ... };
--        the number of tokens is the number of leases granted (0 when the limit is reached).
-- Waiting: when calls that will wait are not all granted, KEYS[5] is set for one lease time, so that
--        release.lua publishes a wake-up (and only then: a release nobody waits for publishes nothing).
--        Waiting instances ask again at least every renewal period, which keeps it set while they wait.
-- Invariant: this script never makes the number of unexpired leases exceed the limit; expired leases
--            are removed before counting, so a dead instance's permits come back within a lease time.
-- Clock: TIME of this server only; the caller's clock is never used.
redis.replicate_commands()
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local leaseMs = tonumber(ARGV[1])
local keep = leaseMs * 3

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(redis.call('GET', KEYS[2]))
if limit == nil then
  limit = tonumber(ARGV[2])
  redis.call('SET', KEYS[2], limit)
end
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = time[1] .. '.' .. time[2]
  redis.call('SET', KEYS[4], epoch)
end
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[4], keep)

local inUse = redis.call('ZCARD', KEYS[1])
local reply = { limit, inUse, epoch }
for i = 4, #ARGV do
  if inUse >= limit then
    if ARGV[3] == '1' then
      redis.call('SET', KEYS[5], '1', 'PX', leaseMs)
    end
    break
  end
  redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[i])
  inUse = inUse + 1
  reply[#reply + 1] = redis.call('INCR', KEYS[3])
end
reply[2] = inUse
if inUse > 0 then
  redis.call('PEXPIRE', KEYS[1], keep)
end
redis.call('PEXPIRE', KEYS[3], keep)
return reply
