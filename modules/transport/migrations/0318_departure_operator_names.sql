-- A departure's operator in other languages than `operator` (language tag → name, e.g.
-- {"zh-CN": "中国铁路广州局集团"}), as 0317 does for its stations.
ALTER TABLE departures ADD COLUMN operator_names jsonb NOT NULL DEFAULT '{}'::jsonb;
