// The ffmpeg command line of a camera's live restream: the source in, a rolling HLS playlist out.
//  - H.264 sources (RTSP, HLS) are remuxed with `-c copy`: no decoder and no encoder run, so a
//    watched camera costs little more than reading its stream;
//  - MJPEG and JPEG-polling sources are encoded to H.264 (libx264, `ultrafast`, zero latency) at a
//    bounded width and frame rate, with a key frame every second so segments can be cut each second.
// Segments are numbered from the epoch second the run started (`-hls_start_number_source epoch`):
// a restarted run, or the run of a new owner after an ownership move, never reuses a name, so
// segment URLs can be cached as immutable and a player reloading the playlist just moves on.
import { join } from 'node:path';
import type { CameraConfig } from '../../core/events/cameras.ts';

/** Target segment duration in seconds; segments are cut at the first key frame after it. */
export const SEGMENT_SECONDS = 1;
/** Segments listed in the rolling playlist (older ones are deleted by ffmpeg). */
export const PLAYLIST_SEGMENTS = 6;
export const PLAYLIST_NAME = 'index.m3u8';
/** Where segment URIs point, relative to the playlist's public URL /v1/cameras/{id}/live.m3u8. */
export const SEGMENT_BASE = 'live/';

export interface RestreamPlan {
  input: string;
  inputOptions: string[];
  outputOptions: string[];
  /** The playlist ffmpeg writes. */
  output: string;
  /** True when the run decodes and encodes (MJPEG, JPEG): it counts against the encoder limit. */
  encodes: boolean;
}

/** Network read/write timeout: a silent socket fails ffmpeg instead of hanging it. */
const RW_TIMEOUT_US = '10000000';

export function needsEncoder(protocol: CameraConfig['protocol']): boolean {
  return protocol === 'mjpeg' || protocol === 'jpeg';
}

export function buildRestreamCommand(
  camera: Pick<CameraConfig, 'url' | 'protocol' | 'snapshotIntervalSeconds'>,
  o: { dir: string; encodeWidth: number; encodeFps: number; statsPeriod?: boolean },
): RestreamPlan {
  const inputOptions = ['-hide_banner', '-nostdin', '-loglevel', 'level+info'];
  // The progress line wakes the node process; once a second is plenty for a live restream.
  if (o.statsPeriod) inputOptions.push('-stats_period', '1');
  // Probe one second instead of five: H.264 parameters come with the first key frame (or the SDP),
  // and every second of probing is a second before the first playlist (measured on RTSP: 3.7 s → 2 s).
  if (!needsEncoder(camera.protocol)) inputOptions.push('-analyzeduration', '1000000');
  switch (camera.protocol) {
    case 'rtsp':
      inputOptions.push('-rtsp_flags', 'prefer_tcp');
      break;
    case 'hls':
      // Start at the newest source segment: a viewer wants now, not the source's backlog.
      inputOptions.push('-rw_timeout', RW_TIMEOUT_US, '-live_start_index', '-1');
      break;
    case 'mjpeg':
      // Multipart MJPEG has no timestamps (ffmpeg assumes 25 fps): stamp frames as they arrive,
      // or a 5 fps camera's video would play five times too fast and segments come 5x too late.
      inputOptions.push('-rw_timeout', RW_TIMEOUT_US, '-use_wallclock_as_timestamps', '1');
      break;
    case 'jpeg':
      // One HTTP GET per snapshot interval, as the snapshot pipeline polls (see command.ts).
      inputOptions.push(
        '-re',
        '-f',
        'image2',
        '-loop',
        '1',
        '-pattern_type',
        'none',
        '-framerate',
        `1/${camera.snapshotIntervalSeconds}`,
      );
      break;
  }
  const encodes = needsEncoder(camera.protocol);
  // A polled JPEG gives a frame per interval; one frame a second is enough to cut 1 s segments.
  const fps = camera.protocol === 'jpeg' ? 1 : o.encodeFps;
  const video = encodes
    ? [
        '-vf',
        `fps=${fps},scale=w='min(iw,${o.encodeWidth})':h=-2,format=yuv420p`,
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
        ...['-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0'],
        ...['-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`],
      ]
    : ['-c:v', 'copy'];
  return {
    input: camera.url,
    inputOptions,
    encodes,
    output: join(o.dir, PLAYLIST_NAME),
    outputOptions: [
      ...['-map', '0:v:0', '-an', ...video],
      ...['-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_list_size', String(PLAYLIST_SEGMENTS)],
      // temp_file: the playlist and each segment appear under their names only once complete.
      ...['-hls_flags', 'delete_segments+omit_endlist+temp_file+independent_segments'],
      ...['-hls_start_number_source', 'epoch', '-hls_segment_filename', join(o.dir, '%d.ts')],
      ...['-hls_base_url', SEGMENT_BASE],
    ],
  };
}

/** The full argument list (for the benchmark's bare-ffmpeg comparison and the docs). */
export function restreamArgs(plan: RestreamPlan): string[] {
  return [...plan.inputOptions, '-i', plan.input, ...plan.outputOptions, '-y', plan.output];
}

/** Segment file names: the epoch-based sequence number (bounded, so a hostile name costs nothing). */
export const SEGMENT_NAME = /^\d{1,20}\.ts$/;
