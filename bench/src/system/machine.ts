import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { REPO_ROOT } from '../paths.js';
import type { Cores } from './pinning.js';

/** What a figure was measured on (§6.7: pin and record). */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuMhz: number | null;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly openFilesLimit: string;
  readonly commit: string;
  /** Uncommitted changes under apps/, packages/ or bench/ at run time. */
  readonly dirty: boolean;
  readonly pinning: Cores;
}

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(cores: Cores): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1];
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cpuMhz: mhz ? Math.round(Number(mhz)) : null,
    // Not availableParallelism(): this process is pinned to one core by now.
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    openFilesLimit: run('sh', ['-c', 'ulimit -n']) || 'unknown',
    commit: run('git', ['rev-parse', 'HEAD']) || 'unknown',
    dirty: run('git', ['status', '--porcelain', '--', 'apps', 'packages', 'bench/src']) !== '',
    pinning: cores,
  };
}
