-- Web Push: browsers' subscriptions per signed-in user, each user's notification preferences, the
-- cities they follow for AQI alerts, and the notifications waiting to be sent (or retried).
CREATE TABLE push_subscriptions (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  endpoint text NOT NULL UNIQUE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

CREATE TABLE push_preferences (
  user_id text PRIMARY KEY,
  -- quiet hours as minutes after local midnight; both null: none
  quiet_start smallint,
  quiet_end smallint,
  time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
  reminder_minutes integer NOT NULL DEFAULT 60,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE push_aqi_follows (
  user_id text NOT NULL,
  city text NOT NULL,
  above integer NOT NULL,
  -- true while the city is above the level and the user was told: re-armed when it falls back
  alerted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, city)
);
CREATE INDEX push_aqi_follows_city ON push_aqi_follows (city);

CREATE TABLE push_deliveries (
  id bigserial PRIMARY KEY,
  -- the event (or reminder) this notification comes from: a redelivered event adds nothing
  source_key text NOT NULL,
  subscription_id text NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  -- reminders about a booking are withdrawn when the booking is paid, cancelled or expires
  booking_id text,
  payload jsonb NOT NULL,
  ttl_seconds integer NOT NULL,
  urgency text NOT NULL DEFAULT 'normal',
  next_attempt_at timestamptz NOT NULL,
  -- not sent after this (a hold reminder once the hold is over)
  expires_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  UNIQUE (source_key, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at);
CREATE INDEX push_deliveries_booking ON push_deliveries (booking_id) WHERE booking_id IS NOT NULL;
