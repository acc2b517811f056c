import type { Actor } from '../../domain/shared/actor.js';
import type { User } from '../../domain/users/user.js';
import { MethodError } from '../ddp.js';

/** What a method sees of its caller. Over REST (`method.call`) there is no connection. */
export interface MethodContext {
  readonly actor: Actor | null;
  /** The DDP connection's id, or null over REST. */
  readonly connectionId: string | null;
  readonly address: string;
  /** After a successful login: the connection now acts as this user. */
  loggedIn(actor: Actor, user: User): Promise<void>;
  /** After `logout`: the connection is anonymous again. */
  loggedOut(): void;
  /** `UserPresence:away` / `UserPresence:online`: this connection is idle, or active again. */
  markIdle(idle: boolean): void;
}

export interface MethodDefinition {
  /** Callable without logging in (`login`, `public-settings/get`, …); the rest answer 403 `error-not-allowed`. */
  readonly anonymous?: boolean;
  run(ctx: MethodContext, params: readonly unknown[]): Promise<unknown>;
}

export type MethodTable = ReadonlyMap<string, MethodDefinition>;

/** The logged-in caller, or Meteor's `User must be logged in` refusal. */
export function requireActor(ctx: MethodContext): Actor {
  if (!ctx.actor) throw new MethodError('error-not-allowed', 'Not allowed');
  return ctx.actor;
}

/** Readers for positional params: each throws a clear `error-invalid-params` naming the param. */
export const param = {
  string(params: readonly unknown[], index: number, name: string, maxLength = 10_000): string {
    const value = params[index];
    if (typeof value !== 'string') throw MethodError.badParams(`${name} must be a string`);
    if (value.length > maxLength)
      throw MethodError.badParams(`${name} is longer than ${maxLength} characters`);
    return value;
  },
  optionalString(
    params: readonly unknown[],
    index: number,
    name: string,
    maxLength = 10_000,
  ): string | undefined {
    const value = params[index];
    if (value === undefined || value === null) return undefined;
    return param.string(params, index, name, maxLength);
  },
  object(params: readonly unknown[], index: number, name: string): Readonly<Record<string, unknown>> {
    const value = params[index];
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw MethodError.badParams(`${name} must be an object`);
    return value as Record<string, unknown>;
  },
  optionalBoolean(params: readonly unknown[], index: number, name: string): boolean | undefined {
    const value = params[index];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw MethodError.badParams(`${name} must be a boolean`);
    return value;
  },
  optionalNumber(params: readonly unknown[], index: number, name: string): number | undefined {
    const value = params[index];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw MethodError.badParams(`${name} must be a number`);
    return value;
  },
  /** An EJSON date (`{$date: ms}`), a number of ms, or an ISO string; null when absent. */
  optionalDate(params: readonly unknown[], index: number, name: string): number | undefined {
    const value = params[index];
    if (value === undefined || value === null) return undefined;
    const ms = dateOf(value);
    if (ms === undefined) throw MethodError.badParams(`${name} must be a date`);
    return ms;
  },
  stringArray(params: readonly unknown[], from: number, name: string, max = 500): string[] {
    const values = params.slice(from);
    if (values.length > max) throw MethodError.badParams(`${name}: at most ${max}`);
    if (!values.every((v): v is string => typeof v === 'string' && v.length <= 1000))
      throw MethodError.badParams(`${name} must be strings`);
    return values;
  },
};

export function dateOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (value !== null && typeof value === 'object' && '$date' in value) {
    const raw = value.$date;
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  }
  return undefined;
}
