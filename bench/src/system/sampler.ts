import { performance } from 'node:perf_hooks';
import { pinProcess } from './pinning.js';
import {
  coreBusyPercent,
  hostTimes,
  processCpuSeconds,
  processRssBytes,
  stealPercent,
  type HostTimes,
} from './proc.js';
import type { Cores } from './pinning.js';

/** The processes whose CPU counts as the server's: its node process, plus PostgreSQL backends. */
export interface ServerProcesses {
  /** The server's own process: its RSS is the server's memory. */
  readonly mainPid: number;
  /** Every process to count now (the main one included); may change between calls. */
  pids(): Promise<readonly number[]>;
  /** Processes counted but not ours to move (the machine's shared nats-server, S7): never pinned. */
  readonly notPinned?: readonly number[];
}

/** A reading of everything a window's figures are computed from. */
export interface Mark {
  /** `performance.now()` of the generator, ms. */
  readonly at: number;
  readonly serverCpuSeconds: number;
  readonly serverRssBytes: number;
  readonly generatorCpuMicros: number;
  readonly host: HostTimes;
  readonly cores: Cores;
}

export interface Window {
  readonly seconds: number;
  readonly serverCpuSeconds: number;
  /** Share of one core, in percent. */
  readonly serverCpuPercent: number;
  readonly generatorCpuPercent: number;
  readonly stealPercent: number;
  /**
   * CPU other processes took on the server's and the generator's cores, in percent of the core
   * (the core's busy time less our own): other work on a shared machine. Null when not pinned.
   */
  readonly foreignOnServerCorePercent: number | null;
  readonly foreignOnGeneratorCorePercent: number | null;
  readonly serverRssBytes: number;
}

export function windowBetween(from: Mark, to: Mark): Window {
  const seconds = (to.at - from.at) / 1000;
  const serverCpuSeconds = to.serverCpuSeconds - from.serverCpuSeconds;
  const serverCpuPercent = seconds > 0 ? (100 * serverCpuSeconds) / seconds : 0;
  const generatorCpuPercent =
    seconds > 0 ? (100 * (to.generatorCpuMicros - from.generatorCpuMicros)) / 1e6 / seconds : 0;
  const foreign = (core: string | null, own: number): number | null => {
    const busy = coreBusyPercent(from.host, to.host, core);
    return busy === null ? null : Math.max(0, busy - own);
  };
  return {
    seconds,
    serverCpuSeconds,
    serverCpuPercent,
    generatorCpuPercent,
    stealPercent: stealPercent(from.host, to.host),
    foreignOnServerCorePercent: foreign(to.cores.server, serverCpuPercent),
    foreignOnGeneratorCorePercent: foreign(to.cores.generator, generatorCpuPercent),
    serverRssBytes: to.serverRssBytes,
  };
}

export interface Sample {
  readonly t: number;
  readonly serverCpuPercent: number;
  readonly generatorCpuPercent: number;
  readonly rssMb: number;
  readonly processes: number;
}

/**
 * Reads the server's CPU and memory from procfs, each second for the time series and on demand for
 * a window's edges. Processes that appear later (PostgreSQL backends the pool opens) are pinned to
 * the server's core when first seen; a process that exits keeps the CPU it was last seen with.
 */
export class Sampler {
  readonly #server: ServerProcesses;
  readonly #cores: Cores;
  readonly #cpuByPid = new Map<number, number>();
  readonly #samples: Sample[] = [];
  readonly #started = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #last: Mark | undefined;

  constructor(server: ServerProcesses, cores: Cores) {
    this.#server = server;
    this.#cores = cores;
  }

  start(everyMs = 1000): void {
    this.#timer = setInterval(() => {
      this.mark().then(
        (mark) => {
          if (this.#last) {
            const w = windowBetween(this.#last, mark);
            this.#samples.push({
              t: Math.round(mark.at - this.#started),
              serverCpuPercent: round1(w.serverCpuPercent),
              generatorCpuPercent: round1(w.generatorCpuPercent),
              rssMb: round1(mark.serverRssBytes / 2 ** 20),
              processes: this.#cpuByPid.size,
            });
          }
          this.#last = mark;
        },
        () => undefined,
      );
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  get samples(): readonly Sample[] {
    return this.#samples;
  }

  async mark(): Promise<Mark> {
    const pids = await this.#server.pids();
    for (const pid of pids) {
      const cpu = processCpuSeconds(pid);
      if (cpu === null) continue;
      const firstSeen = !this.#cpuByPid.has(pid);
      if (firstSeen && pid !== this.#server.mainPid && !this.#server.notPinned?.includes(pid))
        pinProcess(pid, this.#cores.server);
      this.#cpuByPid.set(pid, cpu);
    }
    let serverCpuSeconds = 0;
    for (const cpu of this.#cpuByPid.values()) serverCpuSeconds += cpu;
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      serverCpuSeconds,
      serverRssBytes: processRssBytes(this.#server.mainPid) ?? 0,
      generatorCpuMicros: usage.user + usage.system,
      host: hostTimes(),
      cores: this.#cores,
    };
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
