// Geometry shared by the timeline's parts: the time -> x scale, axis ticks, and text fitting without a font engine.

export interface Scale {
  /** x of the plot's left edge (time zero) and its width, in SVG user units. */
  readonly left: number;
  readonly width: number;
  readonly endMs: number;
  x(atMs: number): number;
}

export function linearScale(left: number, width: number, endMs: number): Scale {
  const span = Math.max(endMs, 1);
  return {
    left,
    width,
    endMs,
    x: (atMs: number) => round(left + (Math.min(Math.max(atMs, 0), span) / span) * width),
  };
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const TICK_STEPS_S = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** Tick times (ms) every "nice" step so that there are at most `maxTicks` intervals. */
export function axisTicks(endMs: number, maxTicks = 12): number[] {
  const stepS = TICK_STEPS_S.find((s) => endMs / (s * 1000) <= maxTicks) ?? Math.ceil(endMs / 1000 / maxTicks);
  const stepMs = stepS * 1000;
  const out: number[] = [];
  for (let t = 0; t <= endMs + 1e-6; t += stepMs) out.push(Math.round(t));
  return out;
}

/** Seconds from run start: `0s`, `0.5s`, `30s`, `600s`. */
export function tickLabel(atMs: number): string {
  return `${Number((atMs / 1000).toFixed(1))}s`;
}

/** Approximate width of text at the given font size (average glyph ~0.6 em for the sans-serif stack). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** The text, shortened with an ellipsis to fit `width`; '' when not even one character and the ellipsis fit. */
export function fitText(text: string, width: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = Math.floor(width / (fontSize * 0.6)) - 1;
  return chars < 1 ? '' : `${text.slice(0, chars)}…`;
}

/** Greedy interval packing: the row index for each [from, to) so that items in one row do not overlap. */
export function packRows(items: readonly { readonly from: number; readonly to: number }[], gap = 4): number[] {
  const rowEnds: number[] = [];
  return items.map((item) => {
    let row = rowEnds.findIndex((end) => end + gap <= item.from);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(item.to);
    } else rowEnds[row] = item.to;
    return row;
  });
}
