import { parse } from '@rocket.chat/message-parser';

/**
 * Text the library turns into one plain paragraph, recognised without running it: a letter first
 * (no list, quote, heading or code marker can start the line), then letters, digits, spaces and
 * apostrophes, with `, . ! ?` only before a space or at the end (so no `example.com` link and no
 * `1.5`). No `@`, `#`, `:`, `*`, `_`, `~`, backtick, bracket, slash or newline: nothing the parser
 * gives a meaning. The differential test in markdown.test.ts holds this to the library's output.
 */
const PLAIN_PARAGRAPH = /^\p{L}(?:[\p{L}\p{N}' ]|[,.!?](?= |$))*$/u;

/**
 * Rocket.Chat's `md` AST of `text`, as @rocket.chat/message-parser builds it. Most chat messages
 * are plain sentences, for which the parser costs 80–300 µs (more than storing and delivering the
 * message); those are answered by the pattern above with the AST the library would build.
 */
export function markdownOf(text: string): unknown[] {
  if (PLAIN_PARAGRAPH.test(text))
    return [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }];
  try {
    return parse(text);
  } catch {
    // The parser never should throw; if it does, the text is still sent as plain text.
    return [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }];
  }
}
