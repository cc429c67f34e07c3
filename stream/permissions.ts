// Who may subscribe to what: `user:{id}` only with a token whose `sub` is that id; other
// families with any valid token, or without one when the family is configured anonymous.
import type { Principal } from '../core/auth/index.ts';
import type { ChannelFamily } from '../core/config/sections/stream.ts';
import type { Channel } from './channels.ts';

export function refusal(
  principal: Principal | null,
  channel: Channel,
  anonymous: readonly ChannelFamily[],
): string | null {
  if (channel.family === 'user') {
    if (!principal) return `channel "${channel.name}" is private: authenticate as user ${channel.id}`;
    if (principal.sub !== channel.id)
      return `channel "${channel.name}" is private to user ${channel.id}; you are ${principal.sub}`;
    return null;
  }
  if (!principal && !anonymous.includes(channel.family))
    return `channel "${channel.name}" needs a token: ${channel.family} channels are not open to anonymous clients here`;
  return null;
}
