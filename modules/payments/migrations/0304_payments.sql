-- Payment intents. At most one live intent per target (partial unique index): racing creators get
-- 409, and a bill, fine, appointment or ticket is charged at most once. Provider webhook events are
-- recorded by id so a re-delivery changes nothing.
CREATE TABLE payments (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('appointment', 'ticket', 'electricity_bill', 'traffic_fine')),
  target_id text NOT NULL,
  amount numeric(10, 2) NOT NULL,
  currency text NOT NULL DEFAULT 'CNY',
  status text NOT NULL CHECK (status IN ('requires_confirmation', 'succeeded', 'failed', 'refunded', 'canceled')),
  failure_reason text,
  provider_ref text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_user ON payments (user_id, created_at DESC);
CREATE UNIQUE INDEX payments_one_live_per_target ON payments (kind, target_id)
  WHERE status IN ('requires_confirmation', 'succeeded');

CREATE TABLE payment_webhook_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  payment_id text,
  received_at timestamptz NOT NULL DEFAULT now()
);
