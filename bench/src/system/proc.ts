import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of `utime`/`stime` in procfs (USER_HZ; 100 on Linux x86). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system, all threads) a process has used; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Resident set size in bytes (`VmRSS`); null once the process is gone. */
export function processRssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time counters (in ticks) of the whole host and of each core: `/proc/stat`'s `cpu` lines. */
export interface HostTimes {
  readonly total: number;
  readonly steal: number;
  /** Per core number: ticks spent busy (not idle, not waiting for I/O) and in total. */
  readonly cores: ReadonlyMap<number, { readonly busy: number; readonly total: number }>;
}

export function hostTimes(): HostTimes {
  let total = 0;
  let steal = 0;
  const cores = new Map<number, { busy: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name = '', ...rest] = line.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal guest guest_nice; guests are inside user already.
    const values = rest.slice(0, 8).map(Number);
    const sum = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    if (name === 'cpu') {
      total = sum;
      steal = values[7] ?? 0;
    } else {
      cores.set(Number(name.slice(3)), { busy: sum - idle, total: sum });
    }
  }
  return { total, steal, cores };
}

/** Steal as a share of all CPU time between two readings, in percent. */
export function stealPercent(from: HostTimes, to: HostTimes): number {
  const total = to.total - from.total;
  return total > 0 ? (100 * (to.steal - from.steal)) / total : 0;
}

/** How busy one core was between two readings, in percent; null for an unknown core. */
export function coreBusyPercent(from: HostTimes, to: HostTimes, core: string | null): number | null {
  if (core === null || !/^\d+$/.test(core)) return null;
  const a = from.cores.get(Number(core));
  const b = to.cores.get(Number(core));
  if (!a || !b || b.total === a.total) return null;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}
