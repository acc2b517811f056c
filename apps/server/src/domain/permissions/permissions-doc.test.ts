/**
 * Keeps docs/permissions.md honest while endpoints are added: every permission id the domain code
 * checks must be in Rocket.Chat's catalogue and in the doc's table, with the catalogue's default
 * roles, and the table lists nothing the code no longer checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from './catalogue.js';

const DOMAIN = fileURLToPath(new URL('..', import.meta.url));
const DOC = fileURLToPath(new URL('../../../../../docs/permissions.md', import.meta.url));

/**
 * Permission ids built from a template, with every value the code can give them. A new template
 * fails the test until it is listed here (and its ids in the doc).
 */
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  // rooms.saveRoomSettings / channels.setType: the room type being switched to.
  'create-${change.type}': ['create-c', 'create-p'],
  // channels.delete / groups.delete: DMs never reach the managed-room check.
  'delete-${r.t}': ['delete-c', 'delete-p'],
  // channels.addOwner / addModerator / addLeader and their remove* twins.
  'set-${role}': ['set-owner', 'set-moderator', 'set-leader'],
};

const PERMISSION_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The text from `open` (just after an opening bracket) to its matching close, strings skipped. */
function balanced(source: string, open: number): string {
  let depth = 1;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "'" || c === '"' || c === '`') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) break;
      i = end;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) return source.slice(open, i);
    }
  }
  return source.slice(open);
}

/** A property value, `permission: …`, up to the comma or bracket that ends it. */
function propertyValue(source: string, start: number): string {
  return balanced(`${source.slice(start)}}`, 0).split(/,\s*\n/)[0] ?? '';
}

/** Literal ids and templates in an expression; `room.t === 'c'` comparisons are not ids. */
function idsIn(expression: string, file: string, unknownTemplates: string[]): string[] {
  const withoutComparisons = expression.replace(/[!=]==?\s*'[^']*'/g, '').replace(/'[^']*'\s*[!=]==?/g, '');
  const literals = [...withoutComparisons.matchAll(/'([^']*)'/g)]
    .map((m) => m[1]!)
    .filter((s) => PERMISSION_ID.test(s));
  const templates = [...withoutComparisons.matchAll(/`([^`]*\$\{[^`]*)`/g)].flatMap((m) => {
    const expanded = TEMPLATES[m[1]!];
    if (!expanded) unknownTemplates.push(`${file}: \`${m[1]!}\``);
    return expanded ?? [];
  });
  return [...literals, ...templates];
}

interface Found {
  readonly checked: Map<string, Set<string>>;
  readonly unknownTemplates: string[];
}

/**
 * Where the domain names a permission: arguments of `authz.require(…)`/`authz.hasPermission(…)`
 * (and the `const` they name), arguments of helpers taking a `permission` parameter (exported ones
 * anywhere, local ones in their file), `permission:` options of the managed-room helper, parameters
 * typed as a union of permission ids (`readOnlyBypass: 'post-readonly' | …`), and, as a safety net
 * for shapes not listed here, any string literal that is a catalogue permission id.
 */
function permissionsCheckedByDomain(): Found {
  const checked = new Map<string, Set<string>>();
  const unknownTemplates: string[] = [];
  const files = sourceFiles(DOMAIN)
    .map((path) => ({ file: relative(DOMAIN, path), source: readFileSync(path, 'utf8') }))
    .filter(({ file }) => file !== join('permissions', 'catalogue.ts'));
  // Helpers such as `requireRoomPermission(ctx, actor, room, permission)` or a local `may(permission, …)`.
  const helper =
    /(export\s+)?(?:async\s+)?(?:function\s+(\w+)\s*\(|const\s+(\w+)\s*=\s*(?:async\s*)?\()(?=[^)]*\bpermission\b)/g;
  const helpers = files.flatMap(({ file, source }) =>
    [...source.matchAll(helper)].map((m) => ({ name: (m[2] ?? m[3])!, exported: m[1] !== undefined, file })),
  );
  for (const { file, source } of files) {
    const note = (ids: readonly string[]) => {
      for (const id of ids) checked.set(id, (checked.get(id) ?? new Set()).add(file));
    };
    note([...source.matchAll(/'([^']+)'/g)].map((m) => m[1]!).filter((id) => catalogue.has(id)));
    const names = helpers.filter((h) => h.exported || h.file === file).map((h) => h.name);
    const calls = new RegExp(`(?:\\.(?:require|hasPermission)|\\b(?:${['$^', ...names].join('|')}))\\(`, 'g');
    for (const call of source.matchAll(calls)) {
      const args = balanced(source, call.index + call[0].length);
      note(idsIn(args, file, unknownTemplates));
      for (const name of args.split(',').map((a) => a.trim())) {
        if (!/^[A-Za-z_]\w*$/.test(name)) continue;
        const declaration = new RegExp(`const ${name}\\s*=\\s*([^;]+);`).exec(source);
        if (declaration) note(idsIn(declaration[1]!, file, unknownTemplates));
      }
    }
    for (const option of source.matchAll(/\bpermission:\s*/g)) {
      note(idsIn(propertyValue(source, option.index + option[0].length), file, unknownTemplates));
    }
    for (const parameter of source.matchAll(
      /\w*(?:Permission|permission|Bypass)\w*\??:\s*('[^']*'(?:\s*\|\s*'[^']*')*)/g,
    )) {
      note(idsIn(parameter[1]!, file, unknownTemplates));
    }
  }
  return { checked, unknownTemplates };
}

interface DocRow {
  readonly id: string;
  readonly roles: readonly string[];
  readonly endpoints: string;
}

/** The table rows: `` | `id` | `role`, `role` (or "none") | endpoints | ``. */
function documentedPermissions(): DocRow[] {
  return readFileSync(DOC, 'utf8')
    .split('\n')
    .flatMap((line): DocRow[] => {
      const cells = /^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
      if (!cells) return [];
      const roles = [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return [{ id: cells[1]!, roles, endpoints: cells[3]!.trim() }];
    });
}

const catalogue = new Map(DEFAULT_PERMISSIONS.map((p) => [p.id, p.roles]));
const { checked, unknownTemplates } = permissionsCheckedByDomain();
const documented = documentedPermissions();
const where = (id: string): string => [...(checked.get(id) ?? [])].join(', ');

describe('docs/permissions.md', () => {
  it('finds the permission checks it knows are there (the scan itself works)', () => {
    for (const id of ['create-c', 'create-p', 'access-permissions', 'add-user-to-any-p-room', 'edit-room']) {
      expect([...checked.keys()]).toContain(id);
    }
    expect(unknownTemplates, 'add these templates to TEMPLATES with every id they can make').toEqual([]);
  });

  it('names only permissions that exist in the catalogue', () => {
    const unknown = [...checked.keys()]
      .filter((id) => !catalogue.has(id))
      .map((id) => `${id} (${where(id)})`);

    expect(unknown, 'checked by the domain but missing from permissions/catalogue.ts').toEqual([]);
  });

  it('documents every permission the domain checks', () => {
    const ids = new Set(documented.map((row) => row.id));
    const missing = [...checked.keys()]
      .filter((id) => !ids.has(id))
      .sort()
      .map((id) => `${id} (${where(id)})`);

    expect(missing, 'add a row to docs/permissions.md for each').toEqual([]);
  });

  it('lists each permission once, with its default roles and at least one endpoint', () => {
    const seen = new Set<string>();
    for (const row of documented) {
      expect(seen.has(row.id), `${row.id} is listed twice`).toBe(false);
      seen.add(row.id);
      expect(row.roles, `default roles of ${row.id}`).toEqual(
        catalogue.get(row.id) ?? ['(not in catalogue)'],
      );
      expect(row.endpoints, `endpoints of ${row.id}`).not.toBe('');
    }
  });

  it('lists no permission the domain no longer checks', () => {
    const stale = documented.map((row) => row.id).filter((id) => !checked.has(id));

    expect(stale, 'remove these rows from docs/permissions.md, or restore the check').toEqual([]);
  });
});
