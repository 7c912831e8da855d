// Reads an executors file (fixtures/existing/*.yaml): YAML with positions, validated by executorsSchema; every
// problem becomes one `file:line:col: path: message` line of a SetupError (bad input, exit code 2).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath } from '../../../schema/describe-value.ts';
import { INVALID, ParseContext, isMapping } from '../../../schema/descriptors.ts';
import { compareProblems, formatProblem, type ScenarioProblem } from '../../../schema/problems.ts';
import { pathAtOffset, positionOf } from '../../../schema/locate.ts';
import { SetupError } from '../../../util/errors.ts';
import { EXECUTORS_SCOPE, executorsSchema } from './config-schema.ts';
import type { ExecutorsConfig } from './config-types.ts';

function fail(problems: readonly ScenarioProblem[]): never {
  throw new SetupError([...problems].sort(compareProblems).map(formatProblem).join('\n'));
}

/** Parses the text of an executors file; `file` names it in problems and anchors relative paths. */
export function parseExecutors(text: string, file: string): ExecutorsConfig {
  const absolute = resolve(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    fail(doc.errors.map((error) => ({
      file, ...at(error.pos[0]), path: formatPath(pathAtOffset(doc, error.pos[0])),
      message: error.message.replace(/\s+at line \d+, column \d+.*$/s, ''),
    })));
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isMapping(value)) fail([{ file, line: 1, column: 1, path: '', message: 'an executors file is a mapping (faults:, nodes:, ipmi:, kubevirt:)' }]);
  const ctx = new ParseContext();
  Object.assign(ctx.get(EXECUTORS_SCOPE), { file: absolute, baseDir: dirname(absolute) });
  const parsed = executorsSchema.parse(value, [], ctx);
  if (parsed === INVALID || ctx.problems.length > 0) {
    fail(ctx.problems.map((p) => {
      const { line, column } = positionOf(doc, lineCounter, p.path, p.at);
      return { file, line, column, path: formatPath(p.path), message: p.message };
    }));
  }
  return { file: absolute, ...parsed };
}

export function loadExecutorsFile(file: string): ExecutorsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(`executors file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  return parseExecutors(text, file);
}
