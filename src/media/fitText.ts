/**
 * Text cut to `max` characters with an ellipsis, at a word's end when one is near (a caption cut
 * mid-word, without a mark, reads as if it said something else).
 */
export function clipWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space >= max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:·-]+$/, '')}…`;
}

/** About how many characters fit in `width` pixels at a font size (DejaVu Sans: about 0.58 em a character, bold 0.64). */
export function charsThatFit(width: number, fontSize: number, bold = false): number {
  return Math.max(1, Math.floor(width / (fontSize * (bold ? 0.64 : 0.58))));
}

/** Text that fits in `width` pixels, cut at a word with an ellipsis when it does not. */
export function fitText(text: string, width: number, fontSize: number, bold = false): string {
  return clipWords(text, charsThatFit(width, fontSize, bold));
}
