// The live link: the client SDK feeding the dashboard, over WebSocket or, where that is blocked
// or silent, SSE or long-poll. The SDK reconnects with backoff and resubscribes with `since` the
// last position it delivered per channel, so events published while the network was down arrive
// once it is back; when the gateway's history no longer reaches that far (`recovered: false`) the
// affected panels are reloaded over HTTP instead. The browser's offline/online events are
// followed at once rather than waiting for the SDK to notice the silence.
import { StreamClient } from '../../stream/client/index.ts';
import type { Dashboard } from './dashboard.ts';
import { cityChannels } from './events.ts';
import { t } from './i18n/index.ts';

/** Call before `d.mount()`: mounting selects the first city, which subscribes its channels. */
export function connectLive(d: Dashboard, url = defaultUrl()): StreamClient {
  const client = new StreamClient({ url, token: () => d.session.token() });
  d.showConnection();
  client.onState((s) => d.connection.set(s));
  client.onTransport((kind) => d.connection.transport(kind));
  client.onError((e) => {
    // While offline every attempt fails; the offline note says all there is to say.
    if (!navigator.onLine) return;
    // A lost link is said in the page's language; the gateway's own refusals as they come.
    d.connection.note(e.code === 'connection' ? t('live:lost') : `${e.code}: ${e.message}`);
  });
  client.onRecovery((r) => {
    if (r.recovered) return;
    d.connection.note(t('live:tooOld'));
    if (r.channel.startsWith('user:')) void d.citizen.refresh();
    else void d.reload();
  });

  let unsubscribeCity: () => void = () => undefined;
  const followCity = (city: string) => {
    unsubscribeCity();
    // Subscribed before the HTTP load starts; panels ignore live values older than what they show.
    // The HTTP read may still land before the gateway confirms the subscription, and what is
    // published in between comes by neither path: once every channel is confirmed, the panels
    // whose state changes by single events (a camera's status, a new incident) merge a fresh read.
    const channels = cityChannels(city);
    const unconfirmed = new Set(channels);
    const offConfirmed = client.onSubscribed((ch) => {
      if (!unconfirmed.delete(ch) || unconfirmed.size > 0) return;
      offConfirmed();
      void d.catchUp();
    });
    const offs = channels.map((ch) => client.subscribe(ch, (e) => d.onCityEvent(e)));
    unsubscribeCity = () => {
      offConfirmed();
      offs.forEach((off) => off());
    };
  };

  let unsubscribeUser: () => void = () => undefined;
  let signedIn = !!d.session.get();
  const followUser = () => {
    unsubscribeUser();
    unsubscribeUser = () => undefined;
    const s = d.session.get();
    if (!s) {
      // The open connection stays authenticated as whoever signed out; start afresh without it.
      if (signedIn) location.reload();
      return;
    }
    signedIn = true;
    client.setToken(s.token);
    unsubscribeUser = client.subscribe(`user:${s.sub}`, (e) => d.onUserEvent(e));
  };

  // Offline: the link is gone whatever the socket says; online: reconnect now, not after backoff.
  const offline = () => {
    d.connection.setOffline(true);
    client.reconnectNow();
  };
  const online = () => {
    d.connection.setOffline(false);
    client.reconnectNow();
  };
  window.addEventListener('offline', offline);
  window.addEventListener('online', online);
  if (!navigator.onLine) d.connection.setOffline(true);

  d.onCitySelected = followCity;
  d.session.onChange(followUser);
  followUser();
  return client;
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
