-- release.lua: gives one lease back and wakes the instances waiting for a permit of its limit.
--
-- KEYS[1]  leases  ZSET  lease id -> expiry, in milliseconds of this server's clock
-- KEYS[2]  waiting STRING  present while an instance has calls waiting for a permit (acquire.lua)
-- ARGV[1]  the lease id
-- ARGV[2]  the wake-up channel of the namespace
-- ARGV[3]  the message: the limit's name
--
-- Reply: 1 if the lease was held and is now removed; 0 if it was not there (expired and taken over,
--        or lost with the server's data): then nothing changes, so a late release never frees a
--        permit that someone else holds.
-- Publishes only while KEYS[2] exists: a release nobody waits for costs no message to every instance.
-- Invariant: only the lease's own id is removed; the count of leases never drops by more than one.
-- Clock: none.
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return removed
