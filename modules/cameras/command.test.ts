import { describe, expect, it } from 'vitest';
import { inferProtocol } from '../../core/events/cameras.ts';
import { buildCommand, commandArgs } from './command.ts';

describe('inferProtocol', () => {
  it.each([
    ['rtsp://10.0.0.2:554/stream1', 'rtsp'],
    ['https://cdn.example.com/live/cam.m3u8?token=x', 'hls'],
    ['http://10.0.0.3/cgi-bin/snapshot.cgi', 'jpeg'],
    ['http://10.0.0.3/image.JPG', 'jpeg'],
    ['http://10.0.0.4/video.mjpg', 'mjpeg'],
  ])('%s → %s', (url, protocol) => expect(inferProtocol(url)).toBe(protocol));
});

describe('buildCommand', () => {
  const hls = { url: 'http://h/x.m3u8', protocol: 'hls' as const, snapshotIntervalSeconds: 2 };

  it('decodes key frames only when asked, selects one frame per interval and scales down', () => {
    const args = commandArgs(buildCommand(hls, { maxWidth: 640, keyframesOnly: true })).join(' ');
    expect(args).toContain('-skip_frame nokey -i http://h/x.m3u8');
    expect(args).toContain("select='isnan(prev_selected_t)+gte(t-prev_selected_t,1.940)'");
    expect(args).toContain("scale=w='min(iw,640)':h=-2");
    expect(args).toMatch(/-c copy -f rawvideo -y \/dev\/null .* -f image2pipe pipe:1$/);
    expect(commandArgs(buildCommand(hls, { maxWidth: 640, keyframesOnly: false }))).not.toContain(
      '-skip_frame',
    );
  });

  it('asks for the progress line once per sample period (the interval, at least 5 s) only where ffmpeg has -stats_period', () => {
    const args = (interval: number, statsPeriod: boolean) =>
      commandArgs(
        buildCommand(
          { ...hls, snapshotIntervalSeconds: interval },
          { maxWidth: 640, keyframesOnly: true, statsPeriod },
        ),
      ).join(' ');
    expect(args(2, true)).toContain('-stats_period 5 ');
    expect(args(0.2, true)).toContain('-stats_period 5 ');
    expect(args(60, true)).toContain('-stats_period 60 ');
    expect(args(2, false)).not.toContain('-stats_period');
  });

  it('polls a JPEG URL once per interval and honours the camera’s own width limit', () => {
    const plan = buildCommand(
      { url: 'http://c/snap.jpg', protocol: 'jpeg', snapshotIntervalSeconds: 5, maxWidth: 320 },
      { maxWidth: 1280, keyframesOnly: true },
    );
    const args = commandArgs(plan).join(' ');
    expect(args).toContain('-re -f image2 -loop 1 -pattern_type none -framerate 1/5 -i http://c/snap.jpg');
    expect(args).not.toContain('select=');
    expect(args).not.toContain('skip_frame');
    expect(args).toContain("scale=w='min(iw,320)'");
  });
});
