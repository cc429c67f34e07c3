// The add/edit form of a camera or a station: labelled controls each with its own error line, the
// hub's field errors (problem+json `errors`) put under the controls they name, input kept on error.
import { cityOptions } from '../cities.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { field, setFieldError, type Control } from '../citizen/ui.ts';
import { StaffError } from './http.ts';

export type DeviceKind = 'camera' | 'station';

export interface DeviceFormOptions {
  kind: DeviceKind;
  /** The device being edited (its id cannot change), or undefined to add one. */
  initial?: Record<string, unknown>;
  /** Sends the body; throws StaffError on a refusal. */
  submit: (body: Record<string, unknown>) => Promise<void>;
  cancel: () => void;
}

/** The language of the second name the form edits (the pilot cities' own). */
const NAME_ZH = 'zh-CN';

export function deviceForm(o: DeviceFormOptions): HTMLFormElement {
  const init = o.initial ?? {};
  // Names in other languages the form does not show are sent back as they were.
  const names: Record<string, string> =
    typeof init.names === 'object' && init.names !== null
      ? { ...(init.names as Record<string, string>) }
      : {};
  const str = (k: string) => {
    const v = init[k];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  const controls: Record<string, Control> = {
    id: h('input', { name: 'id', required: true, maxlength: 64, value: str('id'), readonly: !!o.initial }),
    name: h('input', { name: 'name', required: true, maxlength: 200, value: str('name') }),
    [NAME_ZH]: h('input', { name: 'nameZh', lang: 'zh-CN', maxlength: 200, value: names[NAME_ZH] ?? '' }),
    city: h(
      'select',
      { name: 'city' },
      ...cityOptions(typeof init.city === 'string' ? init.city : undefined),
    ),
    lat: h('input', { name: 'lat', type: 'number', step: 'any', required: true, value: str('lat') }),
    lon: h('input', { name: 'lon', type: 'number', step: 'any', required: true, value: str('lon') }),
  };
  if (o.kind === 'camera') {
    controls.url = h('input', {
      name: 'url',
      required: true,
      maxlength: 2048,
      value: str('url'),
      placeholder: 'rtsp://…',
      autocomplete: 'off',
    });
    controls.snapshotIntervalSeconds = h('input', {
      name: 'snapshotIntervalSeconds',
      type: 'number',
      step: 'any',
      min: 0.2,
      max: 3600,
      value: str('snapshotIntervalSeconds') || '2',
    });
  }
  const enabled = h('input', { name: 'enabled', type: 'checkbox', checked: init.enabled !== false });
  const result = h('p', { class: 'staff-message', role: 'status', 'aria-live': 'polite' });
  const labels: Record<string, string> = {
    id: t('staff:devices.id'),
    name: t('staff:devices.name'),
    [NAME_ZH]: t('staff:devices.nameZh'),
    city: t('staff:filters.city'),
    lat: t('staff:devices.lat'),
    lon: t('staff:devices.lon'),
    url: t('staff:devices.url'),
    snapshotIntervalSeconds: t('staff:devices.interval'),
  };
  const hints: Record<string, string> = {
    url: o.initial ? t('staff:devices.urlKept') : '',
  };

  const form = h(
    'form',
    {
      class: 'staff-device-form',
      'data-kind': o.kind,
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void send();
      },
    },
    h('h3', {}, t(`staff:devices.${o.initial ? 'edit' : 'add'}.${o.kind}`)),
    ...Object.entries(controls).map(([k, c]) => field(labels[k]!, c, hints[k] || undefined)),
    h('label', { class: 'staff-check' }, enabled, ' ', t('staff:devices.enabled')),
    h(
      'div',
      { class: 'staff-actions' },
      h('button', { type: 'submit' }, t('staff:devices.save')),
      h('button', { type: 'button', onclick: () => o.cancel() }, t('staff:devices.cancel')),
    ),
    result,
  );

  const send = async () => {
    for (const c of Object.values(controls)) setFieldError(c, null);
    result.className = 'staff-message';
    result.textContent = '';
    const body: Record<string, unknown> = { enabled: enabled.checked };
    for (const [k, c] of Object.entries(controls)) {
      const v = c.value.trim();
      if (k === NAME_ZH) {
        if (v) names[NAME_ZH] = v;
        else delete names[NAME_ZH];
        body.names = names;
      } else if (c instanceof HTMLInputElement && c.type === 'number') {
        // An empty or unreadable number is sent as it is, so the hub names the field.
        body[k] = v === '' ? null : Number(v);
      } else body[k] = v;
    }
    try {
      await o.submit(body);
    } catch (err) {
      result.className = 'staff-message error';
      let shown = false;
      if (err instanceof StaffError) {
        const errors = (err.body.errors ?? []) as { field?: string; message?: string }[];
        for (const fe of errors) {
          // `names.zh-CN` is the Chinese name's control; other fields are named by their last part.
          const c = fe.field ? controls[fe.field.split('.').pop() ?? ''] : undefined;
          if (c && fe.message) {
            setFieldError(c, fe.message);
            shown = true;
          }
        }
      }
      result.textContent = shown
        ? t('staff:devices.fixFields')
        : t('staff:failed', { detail: (err as Error).message });
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
  };
  return form;
}
