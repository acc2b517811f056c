// Standalone entry of the Synapse reference:  node bench/src/synapse/run.mjs [run] --quick [...]
// (and `install | smoke | serve`; see cli.ts). The TypeScript sources beside this file are bundled
// with esbuild (a root devDependency) into bench/.cache/synapse-cli.mjs, rebuilt when a source is
// newer, so this works without building the bench workspace.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const cacheDir = process.env.SYNAPSE_BENCH_CACHE
  ? path.resolve(process.env.SYNAPSE_BENCH_CACHE)
  : path.resolve(here, '..', '..', '.cache');
const out = path.join(cacheDir, 'synapse-cli.mjs');
const sources = readdirSync(here).filter((f) => f.endsWith('.ts'));
const newest = Math.max(...sources.map((f) => statSync(path.join(here, f)).mtimeMs));
if (!existsSync(out) || statSync(out).mtimeMs < newest) {
  await build({
    entryPoints: [path.join(here, 'cli.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    // setup.ts finds bench/ from its own location: keep it pointing at the sources
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.join(here, 'setup.ts')).href) },
  });
}
const { main } = await import(pathToFileURL(out).href);
await main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
