// Problems from a zod schema, in the one problem format: zod's issue path becomes the problem's path and each issue
// gets a message in the words of the descriptor library ("expected a string, found a number (7)"). Used for
// machine-written files (history.json), where a schema library does the job; hand-written files (scenarios,
// executors, topologies) use the descriptor library, whose did-you-mean and line:col messages are the product.
import type { z } from 'zod';
import { describeValue, formatPath } from './describe-value.ts';
import type { Path } from './descriptors.ts';
import type { Position } from './locate.ts';
import type { Problem } from './problems.ts';
import { didYouMean } from './suggest.ts';

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  tuple: 'an array',
  null: 'null',
};

const quoted = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/** The message for one zod issue (a zod error map: pass it as `{ error: issueMessage }` to parse). */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  const found = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing required field; expected ${EXPECTED[issue.expected] ?? issue.expected}`;
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, found ${found}`;
    case 'invalid_value': {
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : '';
      return `${typeof issue.input === 'string' ? `unknown value ${JSON.stringify(issue.input)}${hint}` : `found ${found}`}; expected ${issue.values.length === 1 ? quoted(issue.values) : `one of ${quoted(issue.values)}`}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array') return `expected ${issue.exact ? '' : 'at least '}${String(issue.minimum)} items, found ${found}`;
      return `${found} is out of range: expected ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected ${issue.exact ? '' : 'at most '}${String(issue.maximum)} items, found ${found}`;
      return `${found} is out of range: expected ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    default:
      return `unexpected ${found}`;
  }
};

/**
 * The problems of a failed zod parse, at most `limit` of them. `prefix` is prepended to every issue path (the
 * place the parsed value has in the file); `locate` gives the position of a path when the file has positions.
 */
export function zodProblems(
  error: z.ZodError,
  file: string,
  prefix: Path = [],
  locate: (path: Path) => Position | undefined = () => undefined,
): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
    const { line, column } = locate(path) ?? { line: 0, column: 0 };
    return { file, line, column, path: formatPath(path), message: issue.message };
  });
}
