// The connection indicator: the live link's state, its transport and a note.
import type { TransportKind } from '../../stream/client/index.ts';
import type { LinkState } from './events.ts';
import { h } from './dom.ts';
import { t } from './i18n/index.ts';

/** What the indicator shows: the link's state, or `offline` while the browser has no network. */
type Shown = LinkState | 'offline';

/**
 * The live-link indicator. It says "Live" only while the SDK reports the link open, i.e. while
 * events or heartbeats keep arriving (the SDK drops a link silent for longer than its bound).
 */
export class ConnectionIndicator {
  readonly el = h('span', {
    class: 'connection',
    id: 'connection',
    'data-state': 'connecting',
    role: 'status',
  });
  private readonly dot = h('i', { class: 'dot' });
  private readonly text = h('span', {}, t('live:state.connecting'));
  private readonly via = h('small', { class: 'connection-transport' });
  private readonly detail = h('small', { class: 'connection-detail' });
  private state: LinkState = 'connecting';
  private offline = false;

  constructor() {
    this.el.append(this.dot, this.text, this.via, this.detail);
  }

  set(state: LinkState): void {
    this.state = state;
    this.render();
    if (state === 'open') this.detail.textContent = '';
  }

  /** The transport carrying the link (null when not open). */
  transport(kind: TransportKind | null): void {
    if (kind) this.el.dataset.transport = kind;
    else delete this.el.dataset.transport;
    // WebSocket is the normal case; a fallback is worth saying.
    this.via.textContent =
      kind && kind !== 'websocket' ? t('live:via', { transport: t(`live:transport.${kind}`) }) : '';
  }

  /** The browser's own word on the network (offline/online events). */
  setOffline(offline: boolean): void {
    this.offline = offline;
    this.render();
    this.detail.textContent = offline ? t('live:offlineNote') : '';
  }

  private render(): void {
    const shown: Shown = this.offline && this.state !== 'open' ? 'offline' : this.state;
    this.el.dataset.state = shown;
    this.text.textContent = t(`live:state.${shown}`);
  }

  /** A short note next to the state, e.g. after a recovery or an error. */
  note(text: string): void {
    this.detail.textContent = text;
  }
}
