// The /healthz and RSS probe, in its own process: the load generators build and send large bodies
// in the bench process, and their pauses must not be counted as the hub's latency.
// argv: <base> <pid> <everyMs> <timeoutMs>; send any IPC message to stop; it answers the result.
import { Agent } from 'node:http';
import { healthz, rssMiB, type ProbeResult } from './hub-probe.ts';

const [base, pid, everyMs, timeoutMs] = [
  process.argv[2]!,
  Number(process.argv[3]),
  Number(process.argv[4]),
  Number(process.argv[5]),
];
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const result: ProbeResult = { peakRssMiB: 0, worstHealthzMs: 0, healthzPolls: 0, healthzFailures: 0 };
let running = true;

const sampleRss = () => {
  const r = rssMiB(pid);
  if (r !== null) result.peakRssMiB = Math.max(result.peakRssMiB, r);
};
const rssTimer = setInterval(sampleRss, everyMs);
sampleRss();

const alive = () => rssMiB(pid) !== null;
const loop = (async () => {
  while (running && alive()) {
    const started = performance.now();
    const h = await healthz(base, agent, timeoutMs);
    result.healthzPolls++;
    result.worstHealthzMs = Math.max(result.worstHealthzMs, h.ms);
    if (!h.ok) result.healthzFailures++;
    const wait = everyMs - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
})();

process.once('message', () => {
  running = false;
  clearInterval(rssTimer);
  void loop.then(() => {
    agent.destroy();
    process.send!(result, () => process.disconnect());
  });
});
