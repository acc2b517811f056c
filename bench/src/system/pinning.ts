import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Which core the server (and PostgreSQL's backends) and the load generator run on, as `taskset -c`
 * lists; null where pinning is not possible (no `taskset`, or a single core).
 */
export interface Cores {
  readonly server: string | null;
  readonly generator: string | null;
}

export function chooseCores(): Cores {
  const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasTaskset || availableParallelism() < 2) return { server: null, generator: null };
  return { server: '0', generator: '1' };
}

/** Pins every thread of a running process (`taskset -a -p -c`); false if it failed. */
export function pinProcess(pid: number, core: string | null): boolean {
  if (core === null) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' }).status === 0;
}

/** The command line that starts `command` pinned to `core`. */
export function pinnedCommand(
  core: string | null,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return core === null
    ? { command, args: [...args] }
    : { command: 'taskset', args: ['-c', core, command, ...args] };
}
