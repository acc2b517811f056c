import { Rng } from '../load/rng.js';

// Plain English words only: no markdown, no `@`/`#`, so the `md` AST is a plain paragraph except
// where a mention is added on purpose.
const VOCABULARY = `the a to and of in is it you that for on this we be with are have not can will do at
from but so if our they what just about my team release build deploy review merge branch test
ticket bug fix issue meeting today tomorrow yesterday morning call update plan sprint customer
server client database query index cache latency memory report design doc draft note idea
question answer thanks please sure yes no maybe later soon done ready blocked waiting working
looks good great nice agree think know need want see check look try run ship push pull change
config setting user room channel message thread reply lunch coffee week month time hour minute
again still already also only really very quite more less some any every other first last next
new old small big fast slow easy hard right wrong open close start stop`.split(/\s+/);

/** A deterministic body of about `meanWords` words. */
function body(rng: Rng, meanWords: number): string {
  const count = Math.max(3, Math.min(3 * meanWords, Math.round(meanWords + rng.normal() * meanWords * 0.35)));
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(rng.pick(VOCABULARY));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Message texts the history draws from: a pool, so each distinct text is parsed into `md` once. */
export interface BodyPool {
  readonly posts: readonly string[];
  readonly replies: readonly string[];
}

/** Mattermost's generator: 35 words on average for posts, 24 for replies. */
export function bodyPool(seed: number): BodyPool {
  const rng = new Rng(seed, 9);
  return {
    posts: Array.from({ length: 400 }, () => body(rng, 35)),
    replies: Array.from({ length: 300 }, () => body(rng, 24)),
  };
}
