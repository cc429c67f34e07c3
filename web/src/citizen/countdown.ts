// A held ticket's time left, changing when the second shown changes; at zero it calls `onExpire`
// once (the row then disables Pay and says the hold ended). Each tick is timed from the expiry,
// not from when the row was drawn: a fixed 1 s interval showed 0:01 for up to a second after the
// hold had ended, while the hub already answered "expired". The ticks stop when the element
// leaves the page.
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function countdown(expiresAt: string, onExpire: () => void): HTMLElement {
  const end = Date.parse(expiresAt);
  const el = h('span', { class: 'countdown', 'data-countdown': expiresAt, role: 'timer' });
  let shown = false;
  const tick = () => {
    // A row may be drawn before it is placed: stop only once the element was shown and left.
    if (el.isConnected) shown = true;
    else if (shown) return;
    const msLeft = end - Date.now();
    const left = Math.max(0, Math.ceil(msLeft / 1000));
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, '0');
    el.textContent = t('citizen:hold.left', { time: `${m}:${s}` });
    el.dataset.secondsLeft = String(left);
    if (left === 0) {
      el.hidden = true; // the row says the hold ended instead
      onExpire();
      return;
    }
    // The shown second changes when (left - 1) whole seconds remain.
    setTimeout(tick, msLeft - (left - 1) * 1000);
  };
  tick();
  return el;
}
