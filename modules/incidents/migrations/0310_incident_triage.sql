-- Staff triage: a version for optimistic concurrency (If-Match / ETag; every change adds one) and
-- the department an incident is assigned to.
ALTER TABLE incidents ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN department text;
