import type { DomainContext } from './context.js';

type Bound<F> = F extends (ctx: DomainContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** A use case with its context filled in: what the edges call. */
export function bindToContext<F extends (ctx: DomainContext, ...args: never[]) => unknown>(
  ctx: DomainContext,
  action: F,
): Bound<F> {
  return ((...args: never[]) => action(ctx, ...args)) as Bound<F>;
}
