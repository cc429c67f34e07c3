// The ffmpeg command line for one camera. Two outputs:
//  1. the video stream copied, undecoded, to /dev/null: ffmpeg's `size=` progress figure then
//     counts the compressed input, which gives the input bitrate without a second connection;
//  2. JPEGs on stdout (image2pipe): a `select` keeps one frame per interval, scaled to the width
//     limit. With `keyframesOnly` the decoder skips everything but key frames (`-skip_frame
//     nokey`), which is most of the decoding cost of an H.264/HEVC stream.
import type { CameraConfig } from '../../core/events/cameras.ts';

export interface CommandPlan {
  input: string;
  inputOptions: string[];
  /** Options of the bitrate-counting output (target /dev/null). */
  countOptions: string[];
  /** Options of the JPEG output (target stdout). */
  snapshotOptions: string[];
}

/** Network read/write timeout: a silent socket fails ffmpeg instead of hanging it. */
const RW_TIMEOUT_US = '10000000';

export function selectFilter(intervalSeconds: number): string {
  // A little under the interval so key frames exactly one interval apart are not skipped.
  const gap = (intervalSeconds * 0.97).toFixed(3);
  return `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${gap})'`;
}

/** How often a camera's pipeline is sampled (bitrate, decode CPU, uptime): every snapshot
 * interval, but no more than once per 5 s. */
export function samplePeriodSeconds(intervalSeconds: number): number {
  return Math.max(intervalSeconds, 5);
}

export function buildCommand(
  camera: Pick<CameraConfig, 'url' | 'protocol' | 'snapshotIntervalSeconds' | 'maxWidth'>,
  options: { maxWidth: number; keyframesOnly: boolean; statsPeriod?: boolean },
): CommandPlan {
  const interval = camera.snapshotIntervalSeconds;
  const width = camera.maxWidth ?? options.maxWidth;
  // Warnings and errors only, plus the progress line (-stats prints it whatever the log level):
  // at `info` the HLS demuxer adds two lines per segment ("Opening … for reading", "Skip …"), and
  // every stderr line wakes the node process — three times as often as the snapshots themselves
  // (46 stderr reads in 20 s against 14 with this, one 2 s HLS camera). The reasons given for a
  // failed run come from error lines, which stay.
  const inputOptions = ['-hide_banner', '-nostdin', '-loglevel', 'level+warning', '-stats'];
  // The progress line (whose `size=` gives the input bitrate) comes every 0.5 s by default, and
  // each one wakes the node process, which on a VM costs about as much CPU as a snapshot's bytes.
  // It is the supervisor's sample clock instead: one line per sample period, no timer of its own.
  if (options.statsPeriod) inputOptions.push('-stats_period', String(samplePeriodSeconds(interval)));
  switch (camera.protocol) {
    case 'rtsp':
      // RTP over the RTSP connection when the camera offers it (NAT, packet loss), else UDP.
      inputOptions.push('-rtsp_flags', 'prefer_tcp');
      break;
    case 'hls':
      // Start at the newest segment: snapshots should show now, not the playlist's backlog.
      inputOptions.push('-rw_timeout', RW_TIMEOUT_US, '-live_start_index', '-1');
      break;
    case 'mjpeg':
      inputOptions.push('-rw_timeout', RW_TIMEOUT_US);
      break;
    case 'jpeg':
      // The image2 demuxer re-opens the URL for every frame: with -loop and a frame rate of one
      // per interval, paced by -re, that is an HTTP poll per snapshot. (image2 rejects -rw_timeout;
      // a request that hangs is caught by the stall watchdog.)
      inputOptions.push(
        '-re',
        '-f',
        'image2',
        '-loop',
        '1',
        '-pattern_type',
        'none',
        '-framerate',
        `1/${interval}`,
      );
      break;
  }
  const intraOnly = camera.protocol === 'jpeg' || camera.protocol === 'mjpeg';
  if (options.keyframesOnly && !intraOnly) inputOptions.push('-skip_frame', 'nokey');
  const filters = [
    ...(camera.protocol === 'jpeg' ? [] : [selectFilter(interval)]),
    `scale=w='min(iw,${width})':h=-2`,
  ];
  return {
    input: camera.url,
    inputOptions,
    countOptions: ['-map', '0:v:0', '-c', 'copy', '-f', 'rawvideo'],
    snapshotOptions: [
      '-map',
      '0:v:0',
      '-an',
      '-vf',
      filters.join(','),
      '-vsync',
      'vfr',
      '-c:v',
      'mjpeg',
      '-q:v',
      '5',
      '-f',
      'image2pipe',
    ],
  };
}

/** The full argument list, as the bare-ffmpeg benchmark and the docs show it. */
export function commandArgs(plan: CommandPlan, snapshotTarget = 'pipe:1'): string[] {
  return [
    ...plan.inputOptions,
    '-i',
    plan.input,
    ...plan.countOptions,
    '-y',
    '/dev/null',
    ...plan.snapshotOptions,
    snapshotTarget,
  ];
}
