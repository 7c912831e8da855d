// Field selectors: `field=value`, `field==value`, `field!=value`, comma-joined (AND), with `\,` `\=` `\\` escapes.
// Every resource supports metadata.name and metadata.namespace; others come from its ResourceInfo.fieldLabels.
import { fieldAt, type KubeObject } from './object-meta.ts';
import type { ResourceInfo } from './resources.ts';
import { SelectorParseError } from './label-selector.ts';

export interface FieldRequirement {
  readonly field: string;
  readonly path: readonly string[];
  readonly negate: boolean;
  readonly value: string;
}

const COMMON: Readonly<Record<string, readonly string[]>> = {
  'metadata.name': ['metadata', 'name'],
  'metadata.namespace': ['metadata', 'namespace'],
};

/** Splits on unescaped `sep` characters; keeps escapes for the next stage. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[i + 1] ?? '');
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function parseOne(selector: string, part: string, info: ResourceInfo): FieldRequirement {
  // Find the first unescaped operator: != before ==/=.
  let i = 0;
  for (; i < part.length; i++) {
    const c = part[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || (c === '!' && part[i + 1] === '=')) break;
  }
  if (i >= part.length) throw new SelectorParseError(selector, `invalid field selector requirement "${part}"`);
  const field = part.slice(0, i).trim();
  const negate = part[i] === '!';
  const opLength = negate || part[i + 1] === '=' ? 2 : 1;
  const value = unescape(part.slice(i + opLength));
  const path = COMMON[field] ?? info.fieldLabels[field];
  if (!path) throw new SelectorParseError(selector, `field label not supported: ${field}`);
  return { field, path, negate, value };
}

export function parseFieldSelector(selector: string | undefined | null, info: ResourceInfo): readonly FieldRequirement[] {
  const text = (selector ?? '').trim();
  if (text.length === 0) return [];
  return splitUnescaped(text, ',').map((part) => parseOne(text, part.trim(), info));
}

function asFieldString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every((req) => {
    let actual = asFieldString(fieldAt(obj, req.path));
    // Kubernetes reports an unset spec.unschedulable (a Node's) or spec.hostNetwork (a Pod's: ToSelectableFields) as "false".
    if ((req.field === 'spec.unschedulable' || req.field === 'spec.hostNetwork') && actual === '') actual = 'false';
    return req.negate ? actual !== req.value : actual === req.value;
  });
}

/** The single metadata.name the selector pins, if any (lets get-by-name watches narrow their etcd prefix). */
export function pinnedName(requirements: readonly FieldRequirement[]): string | undefined {
  const pin = requirements.find((r) => r.field === 'metadata.name' && !r.negate);
  return pin?.value;
}
