-- Entries by internal ID, read-only. KEYS[1] = meta; ARGV[1] = prefix, ARGV[2..] = internal IDs. Returns
-- {version, json1, json2, …} (false where unknown, an empty string where the ID's bucket is missing from a
-- non-empty dataset), or {} when no generation is served. See Scripts.ENTRIES.
local m = redis.call('HMGET', KEYS[1], 'version', 'gen', 'abuckets')
if not m[1] or not m[2] then return {} end
local p = ARGV[1] .. 'g' .. m[2] .. ':a:'
local ab = tonumber(m[3])
local out = {m[1]}
local seen, gone, full
for i = 2, #ARGV do
  local ak = p .. (tonumber(ARGV[i]) % ab)
  local js = redis.call('HGET', ak, ARGV[i])
  if not js then
    if ak ~= seen then seen = ak; gone = redis.call('EXISTS', ak) == 0 end
    if gone then
      if full == nil then
        local c = redis.call('HGET', KEYS[1], 'counts')
        local t = c and string.match(c, '"total":(%d+)')
        full = t ~= nil and tonumber(t) > 0
      end
      if full then js = '' end
    end
  end
  out[#out + 1] = js
end
return out
