// Measuring one phase of the badge benchmark: rate, CPU of this process (all its threads: main and workers)
// and of PostgreSQL per item, and the peak RSS of this process while it ran (sampled every 25 ms).
import { cpuSeconds } from '../lib.js';

export type Phase = {
  rate: number;
  seconds: number;
  /** CPU of this process (user + system, every thread) per item, ms. */
  cpuMsPer: number;
  /** CPU of the PostgreSQL server processes per item, ms. */
  pgCpuMsPer: number;
  rssPeakMb: number;
};

const MB = 2 ** 20;
let phasePeak = 0;
let overallPeak = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > phasePeak) phasePeak = rss;
  if (rss > overallPeak) overallPeak = rss;
}, 25);
sampler.unref();

/** Highest RSS sampled since the process started, MB. */
export const rssPeakMb = () => overallPeak / MB;
/** The kernel's peak RSS of this process (getrusage maxrss), MB. */
export const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

export async function measure(count: number, run: () => Promise<void>): Promise<Phase> {
  phasePeak = process.memoryUsage.rss();
  const pg0 = cpuSeconds((comm) => comm === 'postgres');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgCpu = cpuSeconds((comm) => comm === 'postgres') - pg0;
  const rss = process.memoryUsage.rss();
  if (rss > phasePeak) phasePeak = rss;
  return {
    rate: count / seconds,
    seconds,
    cpuMsPer: (cpu.user + cpu.system) / 1000 / count,
    pgCpuMsPer: (pgCpu * 1000) / count,
    rssPeakMb: phasePeak / MB,
  };
}

export function describe(p: Phase, withDatabase = true): string {
  const pg = withDatabase ? ` + PostgreSQL ${p.pgCpuMsPer.toFixed(2)} ms` : '';
  return `${p.rate.toFixed(0)}/s (${p.seconds.toFixed(1)} s; CPU ${p.cpuMsPer.toFixed(2)} ms${pg} each; RSS peak ${p.rssPeakMb.toFixed(0)} MB)`;
}
