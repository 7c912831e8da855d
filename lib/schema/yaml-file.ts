// Validates a YAML file with a descriptor: every YAML error and every schema problem becomes one located Problem
// (`file:line:col: path: message`). Scenarios, executors files and topology files are all read through here.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { YAMLError } from 'yaml';
import { describeValue, formatPath } from './describe-value.ts';
import { INVALID, ParseContext, isMapping } from './descriptors.ts';
import type { Desc, Path } from './descriptors.ts';
import { pathAtOffset, positionOf, unresolvedAlias, yamlErrorMessage } from './locate.ts';
import type { Position } from './locate.ts';
import { FileProblemsError, compareProblems, unreadableFileProblem } from './problems.ts';
import type { Problem } from './problems.ts';

export interface YamlFileOptions {
  /** The kind of file, for messages: "scenario file". */
  readonly what: string;
  /** The message when the document is not a mapping, given what it is instead ("a sequence"). */
  readonly notMapping: (found: string) => string;
  /** Prepares the parse context (scopes the schema reads) before validation. */
  readonly setup?: (ctx: ParseContext) => void;
}

export interface YamlFileCheck<T> {
  /** The validated value; undefined when there are problems. */
  readonly value?: T;
  /** Sorted by position. */
  readonly problems: readonly Problem[];
  /** Where a path is in the file (for problems found after validation, and for source lines). */
  readonly positionOf: (path: Path, at?: 'key' | 'value') => Position;
}

const MAX_SYNTAX_LINES = 5;

/**
 * YAML errors, one per line: after a broken collection the parser reports every following token,
 * so past a few lines the rest is summarised rather than listed.
 */
function syntaxProblems(errors: readonly YAMLError[], toProblem: (error: YAMLError) => Problem): Problem[] {
  const problems: Problem[] = [];
  const lines = new Set<number>();
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    const p = toProblem(error);
    if (lines.has(p.line)) continue;
    lines.add(p.line);
    problems.push(p);
  }
  if (problems.length <= MAX_SYNTAX_LINES) return problems;
  const rest = problems[MAX_SYNTAX_LINES] as Problem;
  return [
    ...problems.slice(0, MAX_SYNTAX_LINES),
    { ...rest, message: `${problems.length - MAX_SYNTAX_LINES} more lines with YAML errors, probably caused by the ones above` },
  ];
}

function positionAt(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Parses `text` as YAML and validates it with `schema`, without throwing. */
export function checkYamlFile<T>(text: string, file: string, schema: Desc<T>, options: YamlFileOptions): YamlFileCheck<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (path: Path, at: 'key' | 'value' = 'value'): Position => positionOf(doc, lineCounter, path, at);
  const problem = (where: number | Position, path: Path, message: string): Problem => {
    const { line, column } = typeof where === 'number' ? positionAt(lineCounter, where) : where;
    return { file, line, column, path: formatPath(path), message };
  };
  const only = (p: Problem): YamlFileCheck<T> => ({ problems: [p], positionOf: locate });

  const yamlProblems = syntaxProblems([...doc.errors, ...doc.warnings], (error) => {
    const path = error.code === 'MULTIPLE_DOCS' || error.code === 'TAB_AS_INDENT' ? [] : pathAtOffset(doc, error.pos[0]);
    return problem(error.pos[0], path, yamlErrorMessage(error, text, path, options.what));
  });
  if (yamlProblems.length > 0) return { problems: yamlProblems, positionOf: locate };
  if (doc.contents === null) return only(problem({ line: 1, column: 1 }, [], `the ${options.what} is empty`));
  const alias = unresolvedAlias(doc);
  if (alias)
    return only(problem(alias.offset, pathAtOffset(doc, alias.offset), `alias *${alias.name} has no anchor &${alias.name} before it`));

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return only(problem(0, [], `cannot read the YAML: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (!isMapping(value)) return only(problem(locate([]), [], options.notMapping(describeValue(value))));

  const ctx = new ParseContext();
  options.setup?.(ctx);
  const parsed = schema.parse(value, [], ctx);
  const problems = ctx.problems.map((p) => problem(locate(p.path, p.at), p.path, p.message)).sort(compareProblems);
  if (parsed === INVALID || problems.length > 0) return { problems, positionOf: locate };
  return { value: parsed, problems: [], positionOf: locate };
}

/** Reads a file's text; a file that cannot be read throws a FileProblemsError (`what` names the kind of file). */
export function readFileText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileProblemsError([unreadableFileProblem(file, error, what)]);
  }
}
