// The live link: the WebSocket client SDK feeding the dashboard. The SDK reconnects with backoff
// and resubscribes with `since` the last position it delivered per channel, so events published
// while the network was down arrive once it is back; when the gateway's history no longer reaches
// that far (`recovered: false`) the affected panels are reloaded over HTTP instead.
import { StreamClient } from '../../stream/client/index.ts';
import type { Dashboard } from './dashboard.ts';
import { cityChannels } from './events.ts';

/** Call before `d.mount()`: mounting selects the first city, which subscribes its channels. */
export function connectLive(d: Dashboard, url = defaultUrl()): StreamClient {
  const client = new StreamClient({ url, token: () => d.session.token() });
  d.showConnection();
  client.onState((s) => d.connection.set(s));
  client.onError((e) => d.connection.note(`${e.code}: ${e.message}`));
  client.onRecovery((r) => {
    if (r.recovered) return;
    d.connection.note('some events were too old to replay: reloaded');
    if (r.channel.startsWith('user:')) void d.citizen.refresh();
    else void d.reload();
  });

  let unsubscribeCity: () => void = () => undefined;
  const followCity = (city: string) => {
    unsubscribeCity();
    // Subscribed before the HTTP load starts, so nothing published meanwhile is missed; panels
    // ignore live values older than what they already show.
    const offs = cityChannels(city).map((ch) => client.subscribe(ch, (e) => d.onCityEvent(e)));
    unsubscribeCity = () => offs.forEach((off) => off());
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

  d.onCitySelected = followCity;
  d.session.onChange(followUser);
  followUser();
  return client;
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
