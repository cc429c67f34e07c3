// Every catalogue of the dashboard, one namespace per area: a file in locales/ exports
// `{ en: {...}, 'zh-CN': {...} }` with the same keys in both (test/unit/web-i18n.test.ts checks).
// Keys are used as t('<namespace>:<key>').
import { common } from './locales/common.ts';
import { staff } from './locales/staff.ts';

export const catalogues = { common, staff } as const;

type Resources = Record<'en' | 'zh-CN', Record<string, Record<string, unknown>>>;

export const resources: Resources = { en: {}, 'zh-CN': {} };
for (const [ns, catalogue] of Object.entries(catalogues)) {
  resources.en[ns] = catalogue.en;
  resources['zh-CN'][ns] = catalogue['zh-CN'];
}
