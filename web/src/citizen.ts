// The citizen panel: sign-in, and tabs to book a doctor, hold and pay a coach ticket, pay a fine
// or a bill, report an incident, follow "My reports" and "My bookings". The forms live in
// citizen/*.ts; what the person booked and paid lives in one store (citizen/store.ts), kept
// current by the private user:{id} channel, so every view agrees.
import type { LatLon } from './cities.ts';
import type { CityId } from './cities.ts';
import './citizen/citizen.css';
import { fill, h } from './dom.ts';
import type { ChannelEvent } from './events.ts';
import { t } from './i18n/index.ts';
import { districtName, type CityMap } from './map/index.ts';
import type { SessionStore } from './session.ts';
import { bookingsView } from './citizen/bookings.ts';
import { coachForm } from './citizen/coach.ts';
import { doctorForm } from './citizen/doctor.ts';
import { finesAndBills } from './citizen/fines-bills.ts';
import { myReports } from './citizen/my-reports.ts';
import { reportForm } from './citizen/report.ts';
import { BookingStore } from './citizen/store.ts';
import { explain } from './citizen/ui.ts';
import { tabList } from './tabs.ts';

type Tab = 'doctor' | 'coach' | 'pay' | 'report' | 'reports' | 'bookings';
const TABS: Tab[] = ['doctor', 'coach', 'pay', 'report', 'reports', 'bookings'];
/** Tabs anyone may use; the others ask to sign in first. */
const PUBLIC_TABS: Tab[] = ['report'];

export class CitizenPanel {
  readonly el: HTMLElement;
  readonly accountEl = h('div', { class: 'account', id: 'account' });
  readonly store = new BookingStore();
  /** Opens an incident's detail view (the dashboard wires it to the incident panel). */
  onOpenIncident: (id: string) => void = () => undefined;
  private readonly body = h('div', { class: 'citizen-body', role: 'tabpanel', id: 'citizen-tabpanel' });
  private readonly tabs: ReturnType<typeof tabList<Tab>>;
  private tab: Tab = 'doctor';
  private city: CityId = 'shenzhen';
  private reportPin: LatLon | null = null;
  /**
   * The report form being written, kept across tab switches and refreshes so a half-typed report
   * is not lost, and across signing in (a report begun anonymously); a new city or another
   * person starts a new one.
   */
  private reportDraft: { city: CityId; sub: string | null; form: HTMLElement } | null = null;
  /** Whose forms the panel shows (undefined: not drawn for a session yet). */
  private drawnFor: string | null | undefined;
  private readonly pinEl = h('span', { class: 'pin-coords', 'data-testid': 'report-pin' });

  private readonly session: SessionStore;
  private readonly map: CityMap;

  constructor(session: SessionStore, map: CityMap) {
    this.session = session;
    this.map = map;
    this.tabs = tabList(
      TABS.map((id) => ({ id, label: t(`citizen:tabs.${id}`) })),
      'citizen-tabpanel',
      (id) => this.show(id),
    );
    this.el = h(
      'section',
      { class: 'panel citizen', id: 'citizen', 'aria-labelledby': 'citizen-title' },
      h('h2', { id: 'citizen-title' }, t('citizen:title')),
      this.tabs.el,
      this.body,
    );
    map.onPick = (p) => {
      this.setPin(p);
      if (this.tab !== 'report') this.show('report');
    };
    this.renderPin();
    this.renderAccount();
    this.show('doctor');
  }

  setCity(city: CityId): void {
    this.city = city;
    this.reportPin = null;
    this.renderPin();
    this.show(this.tab);
  }

  /**
   * Reloads what the citizen booked and paid, and the account line (sign-in, reload, lost history).
   * The open tab is drawn again only for another person (or none), and at once, with the account
   * line: their name is in the forms (and on a report begun before signing in) as soon as they are
   * shown signed in, while the lists load; the forms and booking rows follow the store themselves.
   * For the same person nothing is redrawn: a reconnect on a flaky network must not wipe what is
   * being typed. "My reports" reads its list once, so it is read again.
   */
  async refresh(): Promise<void> {
    this.renderAccount();
    const who = this.session.get()?.sub ?? null;
    const anotherPerson = who !== this.drawnFor;
    if (anotherPerson) this.show(this.tab);
    if (who) await this.store.refresh().catch(() => undefined);
    else this.store.clear();
    if (!anotherPerson && this.tab === 'reports') this.show(this.tab);
  }

  /** An event of the user:{id} channel: bookings and payments. */
  onUserEvent(e: ChannelEvent): void {
    this.store.onUserEvent(e);
  }

  private setPin(p: LatLon): void {
    this.reportPin = p;
    this.map.setReportPin(p);
    this.renderPin();
  }

  private renderPin(): void {
    const p = this.reportPin;
    this.pinEl.textContent = p ? `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}` : t('citizen:report.pinHint');
    // The place name: the pin's district from the bundled boundaries (the hub stores the same).
    if (p) {
      void this.map.districtAt(p).then((d) => {
        if (this.reportPin === p)
          this.pinEl.textContent = `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)} · ${districtName(d)}`;
      });
    }
  }

  private show(tab: Tab): void {
    this.tab = tab;
    this.tabs.select(tab);
    this.map.setReportPin(tab === 'report' ? this.reportPin : null);
    const s = this.session.get();
    this.drawnFor = s?.sub ?? null;
    if (!s && !PUBLIC_TABS.includes(tab)) {
      fill(this.body, h('p', { class: 'note' }, t('citizen:signInFirst')));
      return;
    }
    const name = s?.name ?? '';
    const render: Record<Tab, () => HTMLElement> = {
      doctor: () => doctorForm(this.city, this.store, name),
      coach: () => coachForm(this.city, this.store, name),
      pay: () => finesAndBills(this.store),
      report: () => this.reportTab(s?.sub ?? null, name),
      reports: () => myReports((id) => this.onOpenIncident(id)),
      bookings: () => bookingsView(this.store),
    };
    fill(this.body, render[tab]());
  }

  /** The report being written (see reportDraft), or a new form. */
  private reportTab(sub: string | null, name: string): HTMLElement {
    const draft = this.reportDraft;
    const usable = draft?.city === this.city && draft.form.dataset.categories !== 'failed';
    if (usable && draft.sub === sub) return draft.form;
    if (usable && draft.sub === null) {
      // Signed in while writing: the report is now theirs, with their name unless one was typed.
      draft.sub = sub;
      const reporter = draft.form.querySelector<HTMLInputElement>('input[name=reporterName]');
      if (reporter && !reporter.value.trim()) reporter.value = name;
      return draft.form;
    }
    const form = reportForm({
      pin: () => this.reportPin,
      setPin: (p) => this.setPin(p),
      pinEl: this.pinEl,
      reporterName: name,
      openIncident: (id) => this.onOpenIncident(id),
      reported: () => undefined,
    });
    this.reportDraft = { city: this.city, sub, form };
    return form;
  }

  private renderAccount(): void {
    const s = this.session.get();
    if (s) {
      fill(
        this.accountEl,
        h('span', { class: 'who', 'data-user': s.sub, title: s.sub }, s.name),
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => this.session.signOut() },
          t('citizen:account.signOut'),
        ),
      );
      return;
    }
    const name = h('input', {
      name: 'name',
      id: 'signin-name',
      placeholder: t('citizen:account.namePlaceholder'),
      autocomplete: 'name',
      maxlength: 64,
      required: true,
      size: 12,
    });
    const msg = h('small', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'signin' },
      h('label', { for: 'signin-name', class: 'visually-hidden' }, t('citizen:account.name')),
      name,
      h('button', { type: 'submit' }, t('citizen:account.signIn')),
      h(
        'button',
        { type: 'button', class: 'link', onclick: () => this.pasteToken(msg) },
        t('citizen:account.token'),
      ),
      msg,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!name.value.trim()) {
        msg.textContent = t('citizen:account.nameNeeded');
        name.focus();
        return;
      }
      this.session.signInDemo(name.value.trim()).catch((err: unknown) => {
        const text = explain(err);
        msg.textContent = /no route|404/.test(text) ? t('citizen:account.demoOff') : text;
      });
    });
    fill(this.accountEl, form);
  }

  private pasteToken(msg: HTMLElement): void {
    const token = prompt(t('citizen:account.pasteToken'));
    if (!token) return;
    try {
      this.session.signInWithToken(token.trim());
    } catch (err) {
      msg.textContent = explain(err);
    }
  }
}
