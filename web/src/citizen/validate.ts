// The checks the hub applies to identity and phone numbers (core/domain/identity.ts), run as the
// person types, worded in the page's language.
import { characterCount, phoneProblem, residentIdProblem } from '../../../core/domain/identity.ts';
import { t } from '../i18n/index.ts';
import { setFieldError, type Control } from './ui.ts';

export function residentIdError(value: string): string | null {
  if (!value.trim()) return t('citizen:validation.required');
  const p = residentIdProblem(value);
  return p ? t(`citizen:validation.residentId.${p}`) : null;
}

export function phoneError(value: string, required = true): string | null {
  if (!value.trim()) return required ? t('citizen:validation.required') : null;
  const p = phoneProblem(value);
  return p ? t(`citizen:validation.phone.${p}`) : null;
}

export function minCharsError(value: string, min: number): string | null {
  const n = characterCount(value);
  return n >= min ? null : t('citizen:validation.minChars', { min, count: n });
}

/**
 * Checks a control now and after each change (once touched), showing the message under it;
 * `check()` runs all on submit and answers whether every one passed, focusing the first failure.
 */
export function validator(rules: [Control, (v: string) => string | null][]): { check(): boolean } {
  for (const [control, rule] of rules) {
    control.addEventListener('blur', () => setFieldError(control, rule(control.value)));
    control.addEventListener('input', () => {
      if (control.getAttribute('aria-invalid') === 'true') setFieldError(control, rule(control.value));
    });
  }
  return {
    check() {
      let first: Control | null = null;
      for (const [control, rule] of rules) {
        const message = rule(control.value);
        setFieldError(control, message);
        if (message && !first) first = control;
      }
      first?.focus();
      return first === null;
    },
  };
}
