-- A traffic fine's offence and place in other languages than `offence` and `location` (language
-- tag → text, e.g. {"zh-CN": "闯红灯"}), as hospitals' names: the driver reads them in the page's
-- language.
ALTER TABLE traffic_fines ADD COLUMN offences jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE traffic_fines ADD COLUMN locations jsonb NOT NULL DEFAULT '{}'::jsonb;
