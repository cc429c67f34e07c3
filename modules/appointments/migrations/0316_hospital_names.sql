-- Hospitals, departments and doctors in other languages than their `name` (language tag → text,
-- e.g. {"zh-CN": "深圳市人民医院"}), and a doctor's title likewise: the page shows its language's.
ALTER TABLE hospitals ADD COLUMN names jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE departments ADD COLUMN names jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE doctors ADD COLUMN names jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE doctors ADD COLUMN titles jsonb NOT NULL DEFAULT '{}'::jsonb;
