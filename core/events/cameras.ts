// Camera contracts: the registry entry (camera.registry.v1), snapshot metadata
// (camera.snapshots.v1) and pipeline status (camera.status.v1). Snapshot and status data carry
// `cameraId` and `city`: the gateway routes them to `camera:{id}` and `cameras:city:{city}`.
import { z } from 'zod';
import { cityId } from './air.ts';
import { localizedNames } from './names.ts';

/** A camera id: 1-64 characters, letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const cameraId = z
  .string()
  .regex(CAMERA_ID, { error: 'expected 1-64 characters: letters, digits, . _ -' });

export const CAMERA_PROTOCOLS = ['rtsp', 'hls', 'mjpeg', 'jpeg'] as const;
export type CameraProtocol = (typeof CAMERA_PROTOCOLS)[number];

const sourceUrl = z.url({
  protocol: /^(rtsps?|https?)$/,
  error: 'expected an rtsp://, rtsps://, http:// or https:// URL',
});

/**
 * The protocol a camera URL implies: rtsp(s):// → rtsp; an .m3u8 playlist → hls; a .jpg/.jpeg
 * (or a path naming a snapshot) → jpeg, polled once per interval; any other http(s) → mjpeg.
 */
export function inferProtocol(url: string): CameraProtocol {
  const u = new URL(url);
  if (u.protocol === 'rtsp:' || u.protocol === 'rtsps:') return 'rtsp';
  const path = u.pathname.toLowerCase();
  if (path.endsWith('.m3u8')) return 'hls';
  if (/\.jpe?g$/.test(path) || /snapshot|still/.test(path)) return 'jpeg';
  return 'mjpeg';
}

const cameraFields = {
  id: cameraId,
  name: z.string().min(1).max(200),
  /** The name in other languages (language tag → name); a page shows its language's, else `name`. */
  names: localizedNames.optional(),
  city: cityId,
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  url: sourceUrl,
  snapshotIntervalSeconds: z.number().min(0.2).max(3600).default(2),
  /** Snapshots wider than this are scaled down (aspect kept); unset: the worker's default. */
  maxWidth: z.number().int().min(16).max(7680).optional(),
  enabled: z.boolean().default(true),
};

export const cameraConfig = z.object({ ...cameraFields, protocol: z.enum(CAMERA_PROTOCOLS) });
export type CameraConfig = z.infer<typeof cameraConfig>;

/** What operators write (file or POST /v1/cameras): `protocol` may be left to the URL. */
export const cameraInputObject = z.object({ ...cameraFields, protocol: z.enum(CAMERA_PROTOCOLS).optional() });
export const cameraInput = cameraInputObject.transform((c): CameraConfig => ({
  ...c,
  protocol: c.protocol ?? inferProtocol(c.url),
}));
export type CameraInput = z.input<typeof cameraInput>;

export const cameraSnapshot = z.object({
  cameraId,
  city: cityId,
  time: z.iso.datetime({ offset: true }),
  /** Where the JPEG is served: the owning worker's /v1/cameras/{id}/snapshots/{name}. */
  url: z.url(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  etag: z.string(),
  sequence: z.number().int().nonnegative(),
  worker: z.string().optional(),
});
export type CameraSnapshot = z.infer<typeof cameraSnapshot>;

export const CAMERA_STATUSES = ['online', 'stalled', 'offline', 'error'] as const;
export const cameraStatus = z.object({
  cameraId,
  city: cityId,
  status: z.enum(CAMERA_STATUSES),
  /** ffmpeg's own words for stalled/error, or why the camera went offline. */
  reason: z.string().max(2000).optional(),
  since: z.iso.datetime({ offset: true }),
  worker: z.string().optional(),
});
export type CameraStatus = z.infer<typeof cameraStatus>;

/** `scheme://user:password@` anywhere in a text (a URL, or ffmpeg quoting one in an error). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(?::[^\s/@]*)?@/gi;

/**
 * A camera URL or message with its credentials masked: `rtsp://user:***@host/...` for staff
 * (`keepUser`), `rtsp://***@host/...` for everyone else. Credentials are stored and used by the
 * workers, never returned, logged or published.
 */
export function maskUrlCredentials(text: string, keepUser = false): string {
  return text.replace(USERINFO, (_m, scheme: string, user: string) =>
    keepUser && user ? `${scheme}${user}:***@` : `${scheme}***@`,
  );
}
