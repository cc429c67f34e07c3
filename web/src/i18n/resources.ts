// Every catalogue of the dashboard, one namespace per area: a file in locales/ exports
// `{ en: {...}, 'zh-CN': {...} }` with the same keys in both (test/unit/web-i18n.test.ts checks).
// Keys are used as t('<namespace>:<key>').
import { activity } from './locales/activity.ts';
import { air } from './locales/air.ts';
import { cameras } from './locales/cameras.ts';
import { citizen } from './locales/citizen.ts';
import { common } from './locales/common.ts';
import { dashboard } from './locales/dashboard.ts';
import { incidents } from './locales/incidents.ts';
import { live } from './locales/live.ts';
import { map } from './locales/map.ts';
import { notifications } from './locales/notifications.ts';
import { staff } from './locales/staff.ts';

export const catalogues = {
  activity,
  air,
  cameras,
  citizen,
  common,
  dashboard,
  incidents,
  live,
  map,
  notifications,
  staff,
} as const;

type Resources = Record<'en' | 'zh-CN', Record<string, Record<string, unknown>>>;

export const resources: Resources = { en: {}, 'zh-CN': {} };
for (const [ns, catalogue] of Object.entries(catalogues)) {
  resources.en[ns] = catalogue.en;
  resources['zh-CN'][ns] = catalogue['zh-CN'];
}
