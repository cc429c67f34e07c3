// Traffic fines and electricity bills: look them up with what proves they are yours, pay each
// one. Every row has its own result line and shows "paid" as soon as the store knows it is.
import { api, list } from '../api.ts';
import { fill, h } from '../dom.ts';
import { formatDateTime, formatDay, formatMoney, inLanguage, t } from '../i18n/index.ts';
import type { z } from 'zod';
import type { billList } from '../../../modules/billing/index.ts';
import type { fineResponse } from '../../../modules/fines/index.ts';
import { payButton } from './pay.ts';
import type { BookingStore } from './store.ts';
import { enc, explain, field, input, resultLine } from './ui.ts';

type Fine = z.output<typeof fineResponse>;
type BillList = z.output<typeof billList>;
type Kind = 'traffic_fine' | 'electricity_bill';
interface Payable {
  id: string;
  amount: string;
  status: string;
  title: string;
  /** When and where (a fine), or by when (a bill). */
  detail: string;
}

export function finesAndBills(store: BookingStore): HTMLElement {
  // The demo's sample vehicle and account (seeded data, nobody's personal details).
  const plate = input('plate', { autocomplete: 'off', value: '粤B12345' });
  const engine = input('engineNoSuffix', { autocomplete: 'off', maxlength: 6, value: '045128' });
  const fines = h('ul', { class: 'choices', 'data-testid': 'fines' });
  const account = input('accountNo', { inputmode: 'numeric', autocomplete: 'off', value: '0755100200301' });
  const bills = h('ul', { class: 'choices', 'data-testid': 'bills' });
  const billAccount = h('p', { class: 'note', 'data-testid': 'bill-account' });

  const row = (kind: Kind, proof: Record<string, string>, r: Payable) => {
    const li = h('li', { 'data-payable': r.id });
    const out = resultLine();
    const render = () => {
      const paid = r.status === 'paid' || store.isPaid(kind, r.id);
      li.dataset.status = paid ? 'paid' : r.status;
      fill(
        li,
        h('span', {}, r.title),
        h('span', {}, formatMoney(r.amount)),
        h(
          'span',
          { class: `badge status-${paid ? 'paid' : r.status}` },
          t(`citizen:status.${paid ? 'paid' : 'unpaid'}`),
        ),
        paid ? null : payButton(store, kind, r.id, out, r.amount, proof),
        h('span', { class: 'payable-detail', 'data-field': 'detail' }, r.detail),
        out,
      );
    };
    let wasPaid = false;
    const off = store.onChange(() => {
      if (!li.isConnected) return off();
      const paid = store.isPaid(kind, r.id);
      if (paid !== wasPaid) {
        wasPaid = paid;
        render();
      }
    });
    render();
    return li;
  };
  /** The rows, or `none` said plainly when there are none. */
  const show = (
    target: HTMLElement,
    kind: Kind,
    proof: Record<string, string>,
    rows: Payable[],
    none: string,
  ) =>
    fill(
      target,
      rows.length ? rows.map((r) => row(kind, proof, r)) : h('li', { 'data-empty': 'true' }, none),
    );

  const fineForm = h(
    'form',
    { class: 'form', 'data-form': 'fines' },
    h('h3', {}, t('citizen:pay.fines')),
    field(t('citizen:pay.plate'), plate),
    field(t('citizen:pay.engine'), engine, t('citizen:pay.engineHint')),
    h('button', { type: 'submit' }, t('citizen:pay.lookUpFines')),
    fines,
  );
  fineForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const proof = { plate: plate.value.trim(), engineNoSuffix: engine.value.trim() };
    list<Fine>(`/v1/fines?plate=${enc(proof.plate)}&engineNoSuffix=${enc(proof.engineNoSuffix)}`).then(
      (rows) =>
        show(
          fines,
          'traffic_fine',
          proof,
          rows.map((f) => ({
            id: f.id,
            amount: f.amount,
            status: f.status,
            title: inLanguage(f.offence, f.offences),
            detail: [
              formatDateTime(f.occurredAt),
              inLanguage(f.location, f.locations),
              f.points > 0 ? t('citizen:pay.points', { count: f.points }) : null,
            ]
              .filter(Boolean)
              .join(' · '),
          })),
          t('citizen:pay.noFines'),
        ),
      (err: unknown) => fill(fines, h('li', { class: 'error', role: 'alert' }, explain(err))),
    );
  });
  const billForm = h(
    'form',
    { class: 'form', 'data-form': 'bills' },
    h('h3', {}, t('citizen:pay.bills')),
    field(t('citizen:pay.account'), account),
    h('button', { type: 'submit' }, t('citizen:pay.lookUpBills')),
    billAccount,
    bills,
  );
  billForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const proof = { accountNo: account.value.trim() };
    api<BillList>(`/v1/utilities/electricity/accounts/${enc(proof.accountNo)}/bills`).then(
      ({ account: found, items }) => {
        // Whose account it is (masked), so the payer sees it is theirs before paying; a number
        // no account has is said to be wrong, not "nothing to pay".
        if (found)
          fill(
            billAccount,
            `${t('citizen:pay.accountHolder')} `,
            h('span', { translate: 'no' }, `${found.holder} · ${found.address}`),
          );
        else fill(billAccount);
        show(
          bills,
          'electricity_bill',
          proof,
          items.map((b) => ({
            id: b.id,
            amount: b.amount,
            status: b.status,
            title: t('citizen:pay.billTitle', { period: b.period, kwh: b.kwh }),
            // A paid bill says when it was paid; an unpaid one by when it is due.
            detail: b.paidAt
              ? t('citizen:pay.paidOn', { date: formatDay(b.paidAt) })
              : t('citizen:pay.due', { date: formatDay(b.dueDate) }),
          })),
          found ? t('citizen:pay.nothing') : t('citizen:pay.noAccount'),
        );
      },
      (err: unknown) => {
        fill(billAccount);
        fill(bills, h('li', { class: 'error', role: 'alert' }, explain(err)));
      },
    );
  });
  return h('div', { class: 'pay-forms' }, fineForm, billForm);
}
