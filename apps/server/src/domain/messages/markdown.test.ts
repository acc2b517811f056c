import { parse } from '@rocket.chat/message-parser';
import { describe, expect, it } from 'vitest';
import { markdownOf } from './markdown.js';

/** A deterministic generator (an LCG), so a failure names a text that fails again. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

// Words, scripts and the characters next to which the parser changes its mind (links, numbers,
// lists, emoji codes, mentions, emphasis): the fast path must say "plain" only where it is.
const TOKENS = [
  'hello',
  'World',
  'a',
  'I',
  'x',
  'über',
  'straße',
  '日本語',
  'テキスト',
  '한국어',
  'שלום',
  'مرحبا',
  '123',
  '1',
  '0',
  '3.5',
  ' ',
  '  ',
  ',',
  '.',
  '!',
  '?',
  "'",
  'e.g',
  'com',
  'example.com',
  'www',
  'http',
  'https://',
  'org',
  'io',
  'ok',
  's',
  'ABC',
  'de',
  'a1',
  '1a',
  'ß',
  'ﬁ',
  'ǅ',
  'ー',
  '々',
  ':',
  ':)',
  ':smile:',
  '@',
  '@all',
  '#',
  '#general',
  '*',
  '_',
  '~',
  '`',
  '>',
  '-',
  '+',
  '[',
  ']',
  '(',
  ')',
  '/',
  '\n',
  '$',
  '<',
  '&',
  '😀',
  '|',
  '=',
  '1.',
  '- ',
  '> ',
];

function randomText(next: () => number): string {
  let text = '';
  const length = 1 + Math.floor(next() * 14);
  for (let i = 0; i < length; i++) text += TOKENS[Math.floor(next() * TOKENS.length)];
  return text;
}

describe('markdownOf', () => {
  // The library is slow on odd input: give it the time a loaded CI machine needs.
  it('builds exactly the AST of @rocket.chat/message-parser, fast path or not', { timeout: 120_000 }, () => {
    const next = lcg(20261202);
    let plain = 0;
    for (let i = 0; i < 6_000; i++) {
      const text = randomText(next);
      const ours = markdownOf(text);
      expect(ours, JSON.stringify(text)).toEqual(parse(text));
      if (
        ours.length === 1 &&
        JSON.stringify(ours) ===
          JSON.stringify([{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }])
      )
        plain++;
    }
    // The generator must actually reach the fast path, and not only it.
    expect(plain).toBeGreaterThan(300);
    expect(plain).toBeLessThan(5_700);
  });

  it('agrees with the library on sentences people write', () => {
    const texts = [
      'Hello, world. How are you?',
      'ok',
      "don't merge yet, the build is red!",
      'see example.com for details',
      '1. first item',
      '- a list',
      '> a quote',
      'Meeting at 3.5 hours',
      'ping @alice about #general',
      'this is *bold* and _italic_',
      'type `npm ci` first',
      'smile :smile: please',
      '会議は明日です。よろしく',
      '회의는 내일입니다',
      'trailing space ',
      ' leading space',
      'two\nlines',
      'e.g. this one',
    ];
    for (const text of texts) expect(markdownOf(text), text).toEqual(parse(text));
  });
});
