-- A station's name in other languages than `name` (language tag → name, e.g. {"zh-CN": "深圳洪湖"}):
-- the dashboard shows the one of its language.
ALTER TABLE air_stations ADD COLUMN names jsonb NOT NULL DEFAULT '{}'::jsonb;
