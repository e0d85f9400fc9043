/**
 * CPU time of a workerd process, read from outside it. Inside workerd the clocks stand still
 * during CPU work (Spectre mitigation; bench/cpu.ts checks that this holds locally too), so the
 * bench reads what the kernel accounted to the process instead: the sum over its threads of
 * /proc/<pid>/task/<tid>/schedstat's first field (nanoseconds on the CPU). Threads that are
 * asleep report an exact value, so reading after a response has been delivered is precise.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The workerd processes this Node process started (Miniflare spawns them as children). */
export function workerdChildren(parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === parent && comm.startsWith('workerd')) pids.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return pids;
}

/** Nanoseconds the process has spent on a CPU, all threads. */
export function processCpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited while we looked
    }
  }
  return total;
}

/** Whether this kernel keeps per-thread run time (some report zeros). */
export function schedstatWorks(): boolean {
  const start = processCpuNs(process.pid);
  const until = Date.now() + 30;
  while (Date.now() < until);
  return processCpuNs(process.pid) - start > 10_000_000;
}
