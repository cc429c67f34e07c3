-- A hospital's address and grade in other languages than `address` and `grade` (language tag →
-- text, e.g. {"zh-CN": "深圳市福田区莲花路1120号"}), as its names: a citizen reads where to go
-- in the page's language.
ALTER TABLE hospitals ADD COLUMN addresses jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE hospitals ADD COLUMN grades jsonb NOT NULL DEFAULT '{}'::jsonb;
