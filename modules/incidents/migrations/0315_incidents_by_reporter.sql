-- "My reports" (GET /v1/incidents/mine) reads a reporter's incidents newest first.
CREATE INDEX incidents_reporter ON incidents (reporter_id, created_at DESC) WHERE reporter_id IS NOT NULL;
