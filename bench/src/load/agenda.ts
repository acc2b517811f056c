import { performance } from 'node:perf_hooks';

/**
 * Many timed entries behind one timer (a binary heap by due time), for thousands of simulated
 * users with their own schedules. Each entry fires with its due time, so whoever schedules the next
 * one can count from the schedule rather than from when the timer ran (open loop), and a late
 * timer shows up as latency.
 */
export class Agenda<T> {
  readonly #due: number[] = [];
  readonly #items: T[] = [];
  readonly #fire: (item: T, dueAt: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #armedFor = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(fire: (item: T, dueAt: number) => void) {
    this.#fire = fire;
  }

  get size(): number {
    return this.#due.length;
  }

  add(dueAt: number, item: T): void {
    if (this.#stopped) return;
    const due = this.#due;
    const items = this.#items;
    let i = due.length;
    due.push(dueAt);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((due[parent] as number) <= dueAt) break;
      due[i] = due[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    due[i] = dueAt;
    items[i] = item;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#due.length = 0;
    this.#items.length = 0;
  }

  #arm(): void {
    if (this.#stopped || this.#due.length === 0) return;
    const next = this.#due[0] as number;
    if (this.#timer !== null && this.#armedFor <= next) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedFor = next;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - performance.now()));
  }

  #tick(): void {
    this.#timer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    while (!this.#stopped && this.#due.length > 0 && (this.#due[0] as number) <= now) {
      const dueAt = this.#due[0] as number;
      const item = this.#pop();
      this.#fire(item, dueAt);
    }
    this.#arm();
  }

  #pop(): T {
    const due = this.#due;
    const items = this.#items;
    const top = items[0] as T;
    const lastDue = due.pop() as number;
    const lastItem = items.pop() as T;
    const size = due.length;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (due[right] as number) < (due[left] as number) ? right : left;
      if ((due[child] as number) >= lastDue) break;
      due[i] = due[child] as number;
      items[i] = items[child] as T;
      i = child;
    }
    due[i] = lastDue;
    items[i] = lastItem;
    return top;
  }
}
