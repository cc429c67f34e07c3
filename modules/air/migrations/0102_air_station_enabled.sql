-- A station staff have disabled keeps its row (and its readings history) but ingest refuses its
-- readings, as it does an unknown station's, until it is enabled again.
ALTER TABLE air_stations ADD COLUMN enabled boolean NOT NULL DEFAULT true;
