// A held ticket's time left, ticking each second; at zero it calls `onExpire` once (the row then
// disables Pay and says the hold ended). The timer stops when the element leaves the page.
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function countdown(expiresAt: string, onExpire: () => void): HTMLElement {
  const end = Date.parse(expiresAt);
  const el = h('span', { class: 'countdown', 'data-countdown': expiresAt, role: 'timer' });
  let started = false;
  const tick = () => {
    const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, '0');
    el.textContent = t('citizen:hold.left', { time: `${m}:${s}` });
    el.dataset.secondsLeft = String(left);
    if (left === 0) {
      clearInterval(timer);
      el.hidden = true; // the row says the hold ended instead
      onExpire();
    } else if (started && !el.isConnected) {
      clearInterval(timer);
    }
    started = true;
  };
  const timer = setInterval(tick, 1000);
  tick();
  return el;
}
