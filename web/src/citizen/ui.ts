// Form pieces every citizen form shares: labelled controls with their own error line, the
// result line of a row or form (announced to screen readers), and errors worded for people.
import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { formatBookingDay, t } from '../i18n/index.ts';

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let nextId = 0;
const uid = (prefix: string) => `${prefix}-${++nextId}`;

/** A labelled control with an error line under it, tied by aria-describedby. */
export function field(label: string, control: Control | HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  const error = h('small', { class: 'field-error', id: `${id}-error`, 'data-error-for': id });
  const hintEl = hint ? h('small', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, error);
}

/** Shows (or clears, with null) the error of a control made by `field`. */
export function setFieldError(control: Control, message: string | null): void {
  const error = document.getElementById(`${control.id}-error`);
  if (error) error.textContent = message ?? '';
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

export function input(name: string, attrs: Record<string, string | number | boolean> = {}): HTMLInputElement {
  return h('input', { name, required: true, ...attrs });
}

export function select(name: string): HTMLSelectElement {
  return h('select', { name, required: true });
}

/** A result line: polite live region, so booking and payment results are read out. */
export function resultLine(testId?: string): HTMLElement {
  return h('p', { class: 'result', role: 'status', 'aria-live': 'polite', 'data-testid': testId });
}

/** Sets a result line's text and its kind (ok, error, busy) for styling and tests. */
export function say(el: HTMLElement, kind: 'ok' | 'error' | 'busy', ...content: (Node | string)[]): void {
  el.dataset.kind = kind;
  el.replaceChildren(...content);
}

/** An error as a person should read it: what to do about the network or the service, else the hub's detail. */
export function explain(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('common:networkError');
    if (err.status >= 500) return t('common:serverError');
    return err.describe();
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Puts the hub's field errors (`patient.idNumber`) under the controls they name (by the
 * control's `name`: the path's last segment unless mapped); true when any was shown.
 */
export function showFieldErrors(err: unknown, controls: Record<string, Control>): boolean {
  if (!(err instanceof ApiError)) return false;
  let shown = false;
  for (const e of err.errors) {
    const c = controls[e.field] ?? controls[e.field.split('.').pop() ?? ''];
    if (c) {
      setFieldError(c, e.message);
      shown = true;
    }
  }
  return shown;
}

export function clearFieldErrors(controls: Record<string, Control>): void {
  for (const c of Object.values(controls)) setFieldError(c, null);
}

/** The calendar day of an instant in China Standard Time (UTC+8), the pilot cities' day: "2026-12-09". */
export function cstDay(instant: string | number): string {
  return new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The China Standard Time day `daysAhead` from today. */
export function isoDate(daysAhead: number): string {
  return cstDay(Date.now() + daysAhead * 86_400_000);
}

/**
 * Days a coach ticket can be booked for: today and the seven after it, the window over which the
 * hub publishes timetables (modules/transport/seed.ts). The doctor form asks the hub for each
 * doctor's days instead (GET /v1/doctors/{id}/days).
 */
const BOOKABLE_DAYS = 8;

/**
 * A choice of the bookable days, named in the page's language. A date input would draw its date
 * in the browser's language and format, and offer any date, most of them with nothing to book.
 */
export function daySelect(name: string, selectedDaysAhead: number): HTMLSelectElement {
  return h(
    'select',
    { name, required: true },
    Array.from({ length: BOOKABLE_DAYS }, (_, k) => {
      const day = isoDate(k);
      return h('option', { value: day, selected: k === selectedDaysAhead }, formatBookingDay(day, k));
    }),
  );
}

export const enc = encodeURIComponent;
