/** A model card section between two HTML comment markers: written by a command, replaced when the command runs again. */

/**
 * `card` with the text from `begin` to `end` (markers included) replaced by `section`, or `section` appended where the
 * card has no such pair. `section` must start with `begin` and end with `end`.
 */
export function withMarkedSection(card: string, begin: string, end: string, section: string): string {
  const a = card.indexOf(begin);
  const b = card.indexOf(end);
  if (a >= 0 && b > a) return card.slice(0, a) + section + card.slice(b + end.length);
  return `${card.replace(/\n*$/, "")}\n\n${section}\n`;
}
