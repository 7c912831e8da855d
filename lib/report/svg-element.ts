// Building SVG markup as strings: escaped attributes, an optional <title> tooltip, children.
import { attrs, escapeText } from './xml.ts';

export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** `<name attrs>children</name>`, or self-closing without children. */
export function el(name: string, attributes: Attrs, ...children: readonly string[]): string {
  const body = children.filter((c) => c !== '').join('');
  return body === '' ? `<${name}${attrs(attributes)}/>` : `<${name}${attrs(attributes)}>${body}</${name}>`;
}

export function title(text: string): string {
  return `<title>${escapeText(text)}</title>`;
}

export function text(x: number, y: number, content: string, attributes: Attrs = {}): string {
  return content === '' ? '' : `<text${attrs({ x, y, ...attributes })}>${escapeText(content)}</text>`;
}

/** A rect at least `minWidth` wide (so instants stay visible), with an optional tooltip. */
export function rect(x0: number, x1: number, y: number, height: number, attributes: Attrs, tooltip?: string, minWidth = 1): string {
  const width = Math.max(x1 - x0, minWidth);
  return el('rect', { x: x0, y, width: Math.round(width * 10) / 10, height, ...attributes }, tooltip === undefined ? '' : title(tooltip));
}
