import type { MethodDefinition, MethodTable } from './method.js';

/** One table of every DDP method, from the per-area records. A name defined twice is a bug. */
export function methodTable(...groups: readonly Record<string, MethodDefinition>[]): MethodTable {
  const table = new Map<string, MethodDefinition>();
  for (const group of groups) {
    for (const [name, definition] of Object.entries(group)) {
      if (table.has(name)) throw new Error(`DDP method ${name} is defined twice`);
      table.set(name, definition);
    }
  }
  return table;
}
