-- A departure's stations in other languages than `from_station`/`to_station` (language tag →
-- name, e.g. {"zh-CN": "深圳北站"}): the page shows its language's.
ALTER TABLE departures ADD COLUMN from_station_names jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE departures ADD COLUMN to_station_names jsonb NOT NULL DEFAULT '{}'::jsonb;
