// Report an incident: category, what happened (a minimum counted in characters, so Chinese text
// is judged fairly), an optional photo (the phone's camera opens), and where: a pin from the map
// or the person's location. Sent as multipart; the encoded body is kept with its attempt, so a
// retry after a network failure sends the same bytes under the same Idempotency-Key.
import { Attempt, formBody, list, type MultipartBody } from '../api.ts';
import type { LatLon } from '../cities.ts';
import { fill, h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { characterCount } from '../../../core/domain/identity.ts';
import {
  clearFieldErrors,
  explain,
  field,
  input,
  resultLine,
  say,
  setFieldError,
  showFieldErrors,
} from './ui.ts';
import { minCharsError, phoneError, validator } from './validate.ts';

/** The server's minimum (modules/incidents/model.ts DESCRIPTION_MIN_CHARS). */
export const DESCRIPTION_MIN_CHARS = 4;

export interface ReportContext {
  pin(): LatLon | null;
  setPin(p: LatLon): void;
  /** Where the pin's coordinates are shown (the panel updates it when the map is clicked). */
  pinEl: HTMLElement;
  reporterName: string;
  openIncident(id: string): void;
  /** After a report is accepted ("My reports" reloads). */
  reported(id: string): void;
}

export function reportForm(ctx: ReportContext): HTMLElement {
  // Until the hub's list arrives the only option is a disabled "loading" line, so the select shows
  // why it is empty and a report cannot go out without a category.
  const category = h(
    'select',
    { name: 'category', required: true },
    h('option', { value: '', disabled: true, selected: true }, t('citizen:report.categoriesLoading')),
  );
  let categoriesLoaded = false;
  const description = h('textarea', { name: 'description', rows: 3, required: true, maxlength: 2000 });
  const counter = h('small', { class: 'counter', 'aria-live': 'polite' });
  // The file input itself stays out of sight: its button and "no file chosen" are drawn by the
  // browser in the browser's language, not the page's. Ours say the same in the page's language.
  const photo = input('photo', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    required: false,
    class: 'visually-hidden',
    tabindex: -1,
  });
  const photoChosen = h('span', {
    class: 'file-chosen',
    'data-testid': 'photo-chosen',
    'aria-live': 'polite',
  });
  const removePhoto = h(
    'button',
    { type: 'button', class: 'link', 'data-action': 'remove-photo' },
    t('citizen:report.removePhoto'),
  );
  const showPhoto = () => {
    const file = photo.files?.[0];
    photoChosen.textContent = file ? file.name : t('citizen:report.noPhoto');
    removePhoto.hidden = !file;
  };
  const photoPicker = h(
    'div',
    { class: 'file-picker' },
    h(
      'button',
      { type: 'button', class: 'secondary', 'data-action': 'choose-photo', onclick: () => photo.click() },
      t('citizen:report.choosePhoto'),
    ),
    photoChosen,
    removePhoto,
  );
  const photoChanged = () => {
    setFieldError(photo, null);
    showPhoto();
  };
  photo.addEventListener('change', photoChanged);
  removePhoto.addEventListener('click', () => {
    photo.value = '';
    photoChanged();
  });
  showPhoto();
  const photoField = field(t('citizen:report.photo'), photo, t('citizen:report.photoHint'));
  // The picker right after the (hidden) input, before the hint and the error.
  photo.after(photoPicker);
  const locate = h(
    'button',
    { type: 'button', class: 'secondary', 'data-action': 'locate' },
    t('citizen:report.useLocation'),
  );
  const name = input('reporterName', { autocomplete: 'name', value: ctx.reporterName, required: false });
  const phone = input('reporterPhone', { type: 'tel', inputmode: 'tel', autocomplete: 'tel' });
  const out = resultLine('report-result');
  const controls = {
    category,
    description,
    photo,
    name,
    phone,
    'reporter.name': name,
    'reporter.phone': phone,
  };
  const checks = validator([
    [
      category,
      (v) =>
        v ? null : t(categoriesLoaded ? 'citizen:validation.required' : 'citizen:report.categoryPending'),
    ],
    [description, (v) => minCharsError(v, DESCRIPTION_MIN_CHARS)],
    [phone, (v) => phoneError(v)],
  ]);
  const count = () => {
    counter.textContent = t('citizen:report.count', {
      count: characterCount(description.value),
      min: DESCRIPTION_MIN_CHARS,
    });
  };
  description.addEventListener('input', count);
  count();

  list<{ code: string; name: string }>('/v1/incidents/categories').then(
    (rows) => {
      fill(
        category,
        rows.map((c) =>
          h('option', { value: c.code }, t(`incidents:category.${c.code}`, { defaultValue: c.name })),
        ),
      );
      categoriesLoaded = true;
      // A "still loading" error shown on submit is answered now.
      if (category.getAttribute('aria-invalid') === 'true') setFieldError(category, null);
    },
    (err: unknown) => {
      // Marked so the panel builds a new form (and asks again) next time rather than keep this one.
      form.dataset.categories = 'failed';
      say(out, 'error', t('citizen:report.noCategories', { reason: explain(err) }));
    },
  );

  locate.addEventListener('click', () => {
    if (!('geolocation' in navigator)) {
      say(out, 'error', t('citizen:report.noLocation'));
      return;
    }
    say(out, 'busy', t('citizen:report.locating'));
    navigator.geolocation.getCurrentPosition(
      (p) => {
        ctx.setPin({ lat: p.coords.latitude, lon: p.coords.longitude });
        say(out, 'ok', t('citizen:report.located'));
      },
      () => say(out, 'error', t('citizen:report.noLocation')),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  });

  const attempt = new Attempt();
  let prepared: { fingerprint: string; body: MultipartBody } | null = null;
  const submit = h('button', { type: 'submit' }, t('citizen:report.submit'));
  const form = h(
    'form',
    { class: 'form', 'data-form': 'report', novalidate: true },
    field(t('citizen:report.category'), category),
    field(t('citizen:report.description'), description),
    counter,
    photoField,
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('citizen:report.where')), ctx.pinEl, locate),
    field(t('citizen:report.name'), name),
    field(t('citizen:report.phone'), phone, t('citizen:report.phoneHint')),
    submit,
    out,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(controls);
    const pin = ctx.pin();
    const ok = checks.check();
    if (!pin) {
      say(out, 'error', t('citizen:report.needPin'));
      return;
    }
    if (!ok) {
      say(out, 'error', t('citizen:form.fix'));
      return;
    }
    const file = photo.files?.[0];
    const fields: Record<string, string> = {
      category: category.value,
      lat: pin.lat.toFixed(6),
      lon: pin.lon.toFixed(6),
      description: description.value.trim(),
      'reporter.phone': phone.value.trim(),
    };
    if (name.value.trim()) fields['reporter.name'] = name.value.trim();
    const fingerprint = JSON.stringify([fields, file ? [file.name, file.size, file.lastModified] : null]);
    submit.disabled = true;
    say(out, 'busy', t('citizen:report.sending'));
    void (async () => {
      try {
        if (prepared?.fingerprint !== fingerprint) {
          const fd = new FormData();
          for (const [k, v] of Object.entries(fields)) fd.set(k, v);
          if (file) fd.set('photo', file, file.name);
          prepared = { fingerprint, body: await formBody(fd) };
        }
        const r = await attempt.post<{ id: string; status: string }>(
          '/v1/incidents',
          prepared.body,
          fingerprint,
        );
        prepared = null;
        out.dataset.incidentId = r.id;
        say(
          out,
          'ok',
          t('citizen:report.done', { id: r.id }),
          ' ',
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => ctx.openIncident(r.id) },
            t('citizen:report.view'),
          ),
        );
        description.value = '';
        photo.value = '';
        showPhoto();
        count();
        ctx.reported(r.id);
      } catch (err) {
        // The input stays as typed: correct what the hub named and send again.
        if (!showFieldErrors(err, controls) && /photo/.test(explain(err))) setFieldError(photo, explain(err));
        say(out, 'error', t('citizen:report.failed', { reason: explain(err) }));
      } finally {
        submit.disabled = false;
      }
    })();
  });
  return form;
}
