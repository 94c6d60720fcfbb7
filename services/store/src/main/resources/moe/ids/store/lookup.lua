-- The lookup, read-only. KEYS[1] = meta; ARGV = prefix, expected gen, expected mbuckets, stride, then the mapping
-- keys (stride 1: the keys alone; stride 2: each key followed by its tier-1 bucket key under the expected gen).
-- Returns {version, gen, mbuckets, ids, entries} (two arrays in key order, false for a miss), or {} when no
-- generation is served. An empty string in place of an id or entry means its bucket is missing from a
-- non-empty dataset: lost data, not an unknown key. See Scripts.LOOKUP.
local m = redis.call('HMGET', KEYS[1], 'version', 'gen', 'mbuckets', 'abuckets')
if not m[1] or not m[2] then return {} end
local mpre = ARGV[1] .. 'g' .. m[2] .. ':m:'
local apre = ARGV[1] .. 'g' .. m[2] .. ':a:'
local step = tonumber(ARGV[4])
-- HMGET of t[i..j]; in pieces where one call would unpack more values than Lua's C stack holds
local function mget(key, t, i, j)
  if j - i < 4000 then return redis.call('HMGET', key, unpack(t, i, j)) end
  local out = {}
  for s = i, j, 4000 do
    local part = redis.call('HMGET', key, unpack(t, s, math.min(j, s + 3999)))
    for k = 1, #part do out[#out + 1] = part[k] end
  end
  return out
end
local ids, js = {}, {}
local seen, gone, full
if #ARGV < 5 then return {m[1], m[2], m[3], ids, js} end
if m[3] == '1' and m[4] == '1' then
  if step == 1 then
    ids = mget(mpre .. '0', ARGV, 5, #ARGV)
  else
    local a = {}
    for i = 5, #ARGV, 2 do a[#a + 1] = ARGV[i] end
    ids = mget(mpre .. '0', a, 1, #a)
  end
  local b = {}
  local unknown = false
  for j = 1, #ids do
    local id = ids[j]
    if id then b[j] = id else b[j] = ''; unknown = true end
  end
  js = mget(apre .. '0', b, 1, #b)
  if unknown and redis.call('EXISTS', mpre .. '0') == 0 then
    local c = redis.call('HGET', KEYS[1], 'counts')
    local t = c and string.match(c, '"total":(%d+)')
    if t ~= nil and tonumber(t) > 0 then
      for j = 1, #ids do ids[j] = '' end
      return {m[1], m[2], m[3], ids, js}
    end
  end
  for j = 1, #js do
    if not js[j] and ids[j] then
      if redis.call('EXISTS', apre .. '0') == 0 then
        for i = j, #js do if ids[i] then js[i] = '' end end
      end
      break
    end
  end
  return {m[1], m[2], m[3], ids, js}
end
local fast = step == 2 and m[2] == ARGV[2] and m[3] == ARGV[3]
local mb = tonumber(m[3])
local ab = tonumber(m[4])
for i = 5, #ARGV, step do
  local k = ARGV[i]
  local bucket
  if fast then
    bucket = ARGV[i + 1]
  else
    local h = 0
    for j = 1, #k do h = (h * 31 + string.byte(k, j)) % mb end
    bucket = mpre .. h
  end
  local id = redis.call('HGET', bucket, k)
  local entry = false
  if id then
    local ak = apre .. (tonumber(id) % ab)
    entry = redis.call('HGET', ak, id)
    if not entry then
      if ak ~= seen then seen = ak; gone = redis.call('EXISTS', ak) == 0 end
      if gone then entry = '' end
    end
  else
    if bucket ~= seen then seen = bucket; gone = redis.call('EXISTS', bucket) == 0 end
    if gone then
      if full == nil then
        local c = redis.call('HGET', KEYS[1], 'counts')
        local t = c and string.match(c, '"total":(%d+)')
        full = t ~= nil and tonumber(t) > 0
      end
      if full then id = '' end
    end
  end
  ids[#ids + 1] = id
  js[#js + 1] = entry
end
return {m[1], m[2], m[3], ids, js}
