// The errors of the files `cpchaos compare` and `cpchaos trend` read (summary.json, a thresholds file): one
// `file:line:col: path: message` line per problem, like every other file format of cpchaos (lib/schema/problems.ts;
// the report module does not import lib/schema, so the few pieces it needs are here). Bad input: a SetupError, exit 2.
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SetupError } from '../util/errors.ts';

export type InputPath = readonly (string | number)[];

export interface InputProblem {
  readonly file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  readonly line: number;
  readonly column: number;
  /** `scenarios[2].verdicts[0].status`; '' for the document root. */
  readonly path: string;
  readonly message: string;
}

export function formatInputProblem(p: InputProblem): string {
  if (p.line === 0 && p.path === '') return `${p.file}: ${p.message}`;
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path === '' ? '(root)' : p.path}: ${p.message}`;
}

/** A summary.json or thresholds file that cannot be used; the message has one line per problem. */
export class ReportInputError extends SetupError {
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[], options?: { cause?: unknown }) {
    super(problems.map(formatInputProblem).join('\n'), options);
    this.name = 'ReportInputError';
    this.problems = problems;
  }
}

/** The error for a file as a whole (cannot be read, not JSON). */
export function fileError(file: string, message: string, cause?: unknown): ReportInputError {
  return new ReportInputError([{ file, line: 0, column: 0, path: '', message }], cause === undefined ? undefined : { cause });
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `scenarios[2].verdicts[0].status`; a key that is not a plain name is quoted: `values["a b"]`. */
export function formatInputPath(path: InputPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** "a number (5)", "a string ("x")", "an object": what was found where something else was expected. */
export function describeFound(value: unknown): string {
  if (value === null || value === undefined) return value === null ? 'null' : 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)})`;
    case 'number':
    case 'boolean':
      return `a ${typeof value} (${String(value)})`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** zod messages in the words of cpchaos's other formats ("expected a string, found a number (7)"). */
export const inputIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing; expected ${EXPECTED[issue.expected] ?? issue.expected}`;
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, found ${describeFound(issue.input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      return `found ${describeFound(issue.input)}; expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `found ${describeFound(issue.input)}; expected ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    default:
      return undefined;
  }
};

/** Past this many problems a broken file is broken the same way throughout: the rest is not listed. */
const MAX_PROBLEMS = 20;

/**
 * The problems of a failed zod parse of `text` (JSON or YAML), each placed at its line and column: the text is
 * parsed again with source ranges (only once there is a problem). A path that does not exist (a missing field)
 * is placed at the object that lacks it.
 */
export function zodInputProblems(error: z.ZodError, file: string, text: string, prefix: InputPath = []): InputProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const locate = (path: InputPath): { line: number; column: number } => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return { line: 0, column: 0 };
  };
  const problems = error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = [...prefix, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))];
    return { file, ...locate(path), path: formatInputPath(path), message: issue.message };
  });
  if (error.issues.length > MAX_PROBLEMS) {
    problems.push({ file, line: 0, column: 0, path: '', message: `stopped after ${MAX_PROBLEMS} problems` });
  }
  return problems;
}
