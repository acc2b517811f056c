#!/usr/bin/env node
// Fails when a module imports across a layer boundary that docs/ARCHITECTURE.md forbids.
// Layers are the first folder under apps/server/src (or main/compose), and each package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const serverSrc = join(root, 'apps/server/src');

/** Which layers each layer may import from (always itself too). */
const MAY_IMPORT = {
  main: ['*'],
  cli: ['*'],
  compose: ['*'],
  testing: ['*'],
  config: [],
  domain: [],
  store: ['domain'],
  presenters: ['domain'],
  http: ['domain', 'presenters', '@parley/protocol'],
  bus: ['domain'],
  realtime: ['domain', 'presenters', '@parley/protocol'],
  integrations: ['domain', '@parley/protocol'],
  jobs: ['domain', '@parley/protocol'],
  federation: ['domain', '@parley/protocol', '@parley/matrix'],
};

/** npm packages that do I/O or belong to an edge, and so must stay out of the domain. */
const EDGE_PACKAGES = /^(fastify|@fastify\/|kysely|pg|libsql|pino|prom-client|ws|nats|ajv)/;

const problems = [];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specs = [];
  for (const m of text.matchAll(/\b(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)) specs.push(m[1]);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  return specs;
}

function serverLayerOf(file) {
  const rel = relative(serverSrc, file);
  const first = rel.split(sep)[0];
  return first.endsWith('.ts') ? first.replace(/\.ts$/, '') : first;
}

for (const file of walk(serverSrc)) {
  if (file.endsWith('.test.ts')) continue;
  const layer = serverLayerOf(file);
  const allowed = MAY_IMPORT[layer];
  if (!allowed) {
    problems.push(`${relative(root, file)}: layer "${layer}" is not in the dependency rules`);
    continue;
  }
  for (const spec of importsOf(file)) {
    if (allowed.includes('*')) continue;
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(serverSrc)) {
        problems.push(`${relative(root, file)} imports ${spec}, outside the server`);
        continue;
      }
      const targetLayer = serverLayerOf(target);
      if (targetLayer !== layer && !allowed.includes(targetLayer)) {
        problems.push(`${relative(root, file)} (${layer}) imports ${spec} (${targetLayer})`);
      }
    } else if (spec.startsWith('@parley/')) {
      if (!allowed.includes(spec)) problems.push(`${relative(root, file)} (${layer}) imports ${spec}`);
    } else if (layer === 'domain' && EDGE_PACKAGES.test(spec)) {
      problems.push(`${relative(root, file)} (domain) imports the edge package ${spec}`);
    }
  }
}

// Packages: protocol imports no workspace code; matrix imports nothing from the repository.
for (const pkg of ['protocol', 'matrix', 'sdk']) {
  const src = join(root, 'packages', pkg, 'src');
  let files = [];
  try {
    files = walk(src);
  } catch {
    continue;
  }
  const mayUse = pkg === 'sdk' ? ['@parley/protocol'] : [];
  for (const file of files) {
    for (const spec of importsOf(file)) {
      const outside = spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(src);
      if (outside || (spec.startsWith('@parley/') && !mayUse.includes(spec))) {
        problems.push(`${relative(root, file)} (@parley/${pkg}) imports ${spec}`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Dependency direction violated (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
process.stdout.write('dependency direction: ok\n');
