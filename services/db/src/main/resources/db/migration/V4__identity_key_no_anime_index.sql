-- Nothing looks identity keys up by anime: the merger reads the whole table and writes by (platform, platform_id).
-- The index on anime_id only cost its upkeep on every write (about a third of the time a first publish spends
-- copying ~270k keys).
DROP INDEX IF EXISTS identity_key_anime;
