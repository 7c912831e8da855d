// Label selectors as Kubernetes parses them: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
// and numeric `a>1` / `a<1`, joined by commas (AND). The empty selector matches everything.

export type LabelOperator = 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'doesNotExist' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export class SelectorParseError extends Error {
  constructor(
    readonly selector: string,
    detail: string,
  ) {
    super(`unable to parse requirement in selector "${selector}": ${detail}`);
    this.name = 'SelectorParseError';
  }
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(selector: string, key: string): string {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorParseError(selector, `invalid label key prefix "${key}"`);
  }
  if (!NAME.test(name)) throw new SelectorParseError(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value.length > 0 && !NAME.test(value)) throw new SelectorParseError(selector, `invalid label value "${value}"`);
  return value;
}

/** Splits at commas outside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

const SET_FORM = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/;
const BINARY_FORM = /^([^\s=!<>]+)\s*(==|=|!=|>|<)\s*(.*)$/;

function parseRequirement(selector: string, text: string): LabelRequirement {
  if (text.length === 0) throw new SelectorParseError(selector, 'empty requirement');
  if (text.startsWith('!')) {
    const key = text.slice(1).trim();
    return { key: checkKey(selector, key), operator: 'doesNotExist', values: [] };
  }
  const set = SET_FORM.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => checkValue(selector, v.trim()));
    if (list.trim().length === 0) throw new SelectorParseError(selector, `empty value set for "${key}"`);
    return { key: checkKey(selector, key), operator: op === 'in' ? 'in' : 'notIn', values };
  }
  const binary = BINARY_FORM.exec(text);
  if (binary) {
    const [, key = '', op = '', rawValue = ''] = binary;
    const value = rawValue.trim();
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value)) throw new SelectorParseError(selector, `"${value}" is not an integer`);
      return { key: checkKey(selector, key), operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key: checkKey(selector, key), operator: op === '!=' ? 'notEquals' : 'equals', values: [checkValue(selector, value)] };
  }
  return { key: checkKey(selector, text), operator: 'exists', values: [] };
}

export function parseLabelSelector(selector: string | undefined | null): readonly LabelRequirement[] {
  const text = (selector ?? '').trim();
  if (text.length === 0) return [];
  return splitTopLevel(text).map((part) => parseRequirement(text, part.trim()));
}

function matchesOne(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'equals':
      return has && value === req.values[0];
    case 'notEquals':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notIn':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'doesNotExist':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value ?? '')) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((req) => matchesOne(req, labels));
}
