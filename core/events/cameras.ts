import { z } from 'zod';
import { cityId } from './air.ts';

export const cameraId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected 1-64 characters: letters, digits, . _ -' });

export const CAMERA_PROTOCOLS = ['rtsp', 'hls', 'mjpeg', 'jpeg'] as const;

export const cameraConfig = z.object({
  id: cameraId,
  name: z.string().min(1).max(200),
  city: cityId,
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  url: z.string().min(1).max(2000),
  protocol: z.enum(CAMERA_PROTOCOLS),
  snapshotIntervalSeconds: z.number().positive().max(3600),
  maxWidth: z.number().int().min(16).max(7680).optional(),
  enabled: z.boolean().default(true),
});
export type CameraConfig = z.infer<typeof cameraConfig>;

export const cameraSnapshot = z.object({
  cameraId,
  city: cityId.optional(),
  time: z.iso.datetime({ offset: true }),
  url: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  etag: z.string(),
  sequence: z.number().int().nonnegative(),
});
export type CameraSnapshot = z.infer<typeof cameraSnapshot>;

export const CAMERA_STATUSES = ['online', 'stalled', 'offline', 'error'] as const;
export const cameraStatus = z.object({
  cameraId,
  city: cityId.optional(),
  status: z.enum(CAMERA_STATUSES),
  reason: z.string().max(2000).optional(),
  since: z.iso.datetime({ offset: true }),
  worker: z.string().optional(),
});
export type CameraStatus = z.infer<typeof cameraStatus>;
