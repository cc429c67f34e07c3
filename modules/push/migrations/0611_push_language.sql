-- The language a browser's notifications are written in (the page's language when it subscribed):
-- one person may read Chinese on the phone and English on a laptop. Subscriptions saved before
-- this column existed keep English, the only language notifications had then.
ALTER TABLE push_subscriptions ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('zh-CN', 'en'));
