// The header's language switch: a native <select> (keyboard and screen readers for free).
import { h } from '../dom.ts';
import { language, LANGUAGES, setLanguage, t, type Language } from './index.ts';

export function languageSwitch(): HTMLElement {
  const select = h(
    'select',
    { id: 'lang', 'aria-label': t('common:language') },
    LANGUAGES.map((l) => h('option', { value: l, lang: l }, t(`common:languageNames.${l}`))),
  );
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value as Language));
  return h('label', { class: 'lang-switch' }, select);
}
