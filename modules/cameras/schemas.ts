// The camera API's response shapes: the routes declare them (so /openapi.json and the serializer
// use them) and the dashboard takes its types from them (`import type`, erased from the bundle).
import { z } from 'zod';
import { CAMERA_STATUSES, cameraConfig } from '../../core/events/cameras.ts';

/** A camera as a caller may see it (GET /v1/cameras/{id}); see `describe` in routes.ts. */
export const cameraView = cameraConfig.omit({ url: true }).extend({
  /** Staff only, with the password masked; everyone else watches through `snapshotUrl`. */
  url: z.string().optional(),
  /** Null until the camera's worker reported one. */
  status: z
    .object({
      status: z.enum(CAMERA_STATUSES),
      reason: z.string().optional(),
      since: z.string(),
      worker: z.string().optional(),
    })
    .nullable(),
  latestSnapshot: z
    .object({ time: z.string(), width: z.number(), height: z.number(), bytes: z.number(), etag: z.string() })
    .nullable(),
  snapshotUrl: z.string(),
});

/** GET /v1/cameras */
export const cameraList = z.object({ items: z.array(cameraView) });
