import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** `bench/`, found from this compiled file (`bench/dist/paths.js`). */
export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = join(BENCH_ROOT, '..');
export const SERVER_DIST = join(REPO_ROOT, 'apps/server/dist');
export const SERVER_MAIN = join(SERVER_DIST, 'main.js');
/** Data sets, per-run database copies, the Synapse venv: never committed. */
export const CACHE_DIR = join(BENCH_ROOT, '.cache');
export const RESULTS_DIR = join(BENCH_ROOT, 'results');

/** The URL to `import()` a module of the built server, e.g. `store/kysely-store.js`. */
export function serverModule(path: string): string {
  return new URL(`../../apps/server/dist/${path}`, import.meta.url).href;
}
