// Paying a booking, fine or bill: create the intent, confirm it with the simulated wallet. Each
// button is one logical attempt (api.ts Attempt): a retry after a network failure reuses its key,
// a refusal ends it. The outcome goes to the store, so every view shows the item paid.
import { ApiError, Attempt } from '../api.ts';
import { h } from '../dom.ts';
import { formatMoney, t } from '../i18n/index.ts';
import type { BookingStore, Payment } from './store.ts';
import { explain, say } from './ui.ts';

export type PayKind = 'appointment' | 'ticket' | 'traffic_fine' | 'electricity_bill';

export function payButton(
  store: BookingStore,
  kind: PayKind,
  targetId: string,
  out: HTMLElement,
  amount: string,
  proof: Record<string, string> = {},
): HTMLButtonElement {
  const create = new Attempt();
  const confirm = new Attempt();
  const button = h(
    'button',
    { type: 'button', class: 'pay', 'data-pay': targetId },
    t('citizen:pay.button', { amount: formatMoney(amount) }),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    say(out, 'busy', t('citizen:pay.paying'));
    void (async () => {
      try {
        const p = await create.post<Payment>('/v1/payments', { kind, targetId, ...proof });
        const done =
          p.status === 'succeeded'
            ? p
            : await confirm.post<Payment>(`/v1/payments/${encodeURIComponent(p.id)}/confirm`, {});
        out.dataset.paymentStatus = done.status;
        if (done.status === 'succeeded') {
          say(out, 'ok', t('citizen:pay.paid', { amount: formatMoney(done.amount), id: done.id }));
        } else {
          say(out, 'error', t('citizen:pay.notPaid', { reason: done.failureReason ?? done.status }));
          button.disabled = false;
        }
        store.putPayment(done);
      } catch (err) {
        // Paid already (another tab, or an answer that was lost): show the truth, not a failure.
        if (err instanceof ApiError && err.status === 409 && /already paid/.test(err.detail)) {
          out.dataset.paymentStatus = 'succeeded';
          say(out, 'ok', t('citizen:pay.alreadyPaid'));
          await store.refresh().catch(() => undefined);
          return;
        }
        say(out, 'error', t('citizen:pay.failed', { reason: explain(err) }));
        button.disabled = false;
      }
    })();
  });
  return button;
}
