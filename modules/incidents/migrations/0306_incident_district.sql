-- The district of the pin (official Chinese name, e.g. 福田区), computed by the hub from the bundled
-- boundaries (core/domain/districts.geojson) when the incident is reported; null outside every
-- district (at sea, or reported before this column existed).
ALTER TABLE incidents ADD COLUMN district text;
