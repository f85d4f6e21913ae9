-- set-limit.lua: changes one cluster limit for every instance, and wakes their waiting calls.
--
-- KEYS[1]  limit  STRING  the cluster limit
-- ARGV[1]  the new limit, at least 0
-- ARGV[2]  lease time in milliseconds (the key lives three lease times past its last use)
-- ARGV[3]  the wake-up channel of the namespace
-- ARGV[4]  the message: the limit's name
--
-- Reply: the previous limit, or -1 if there was none.
-- Invariant: leases in force are kept; a lowered limit admits new calls only below it.
-- Clock: none.
local old = tonumber(redis.call('GET', KEYS[1]))
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]) * 3)
redis.call('PUBLISH', ARGV[3], ARGV[4])
if old == nil then
  return -1
end
return old
