/**
 * Text widths for laying out charts without a canvas. Vega measures labels to place legends, axes
 * and truncation; headless in Node it falls back to 0.8 em per character, about half again too
 * wide, which truncates labels early and leaves gaps. The page sets Helvetica/Arial (Liberation
 * Sans on Linux, the same metrics), so the widths are Helvetica's (Adobe's AFM, per 1000 em), and
 * vega's documented hook (`textMetrics.width`, as vl-convert sets it) uses them.
 */

// Widths of ASCII 32 (space) to 126 (~).
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
  278, 278, 584, 584, 584, 556, 1015, // : to @
  667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // A-Z
  278, 278, 278, 469, 556, 333, // [ to `
  556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // a-z
  334, 260, 334, 584, // { to ~
];
/** Characters beyond ASCII (accents, symbols such as Δ and …): a wide letter's width. */
const OTHER = 667;
/** Helvetica Bold runs about 7% wider. */
const BOLD = 1.07;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32]! : OTHER;
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1);
}

/** The font the charts and the page use; its metrics are those above. */
export const CHART_FONT = 'Helvetica, Arial, sans-serif';
