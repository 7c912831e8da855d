// Loads scenario files: YAML with source positions, validated by the one schema (schema.ts),
// every problem collected into a ScenarioError with file:line:col and the field path.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { YAMLError } from 'yaml';
import { describeValue, formatPath } from '../schema/describe-value.ts';
import { INVALID, ParseContext, isMapping } from '../schema/descriptors.ts';
import type { Path } from '../schema/descriptors.ts';
import { ScenarioError, compareProblems } from '../schema/problems.ts';
import type { ScenarioProblem } from '../schema/problems.ts';
import { pathAtOffset, positionOf, unresolvedAlias, yamlErrorMessage } from '../schema/locate.ts';
import type { Position } from '../schema/locate.ts';
import { SCOPE, scenarioSchema } from './schema.ts';
import type { Scenario } from './types.ts';

export { ScenarioError, formatProblem } from '../schema/problems.ts';
export type { ScenarioProblem } from '../schema/problems.ts';

export interface ParseOptions {
  /** Node names of the target cluster, when known: by-name selectors are then checked. */
  readonly nodeNames?: readonly string[];
}

export interface ScenarioCheck {
  readonly scenario?: Scenario;
  readonly problems: readonly ScenarioProblem[];
  /** Where `name:` is, to report duplicate names across files. */
  readonly namePosition?: Position;
}

/** Parses and validates one scenario's text without throwing. */
export function checkScenario(text: string, fileName: string, options: ParseOptions = {}): ScenarioCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = (offsetOrPosition: number | Position, path: Path, message: string): ScenarioProblem => {
    const { line, column } = typeof offsetOrPosition === 'number' ? positionAt(lineCounter, offsetOrPosition) : offsetOrPosition;
    return { file: fileName, line, column, path: formatPath(path), message };
  };

  const yamlProblems = syntaxProblems([...doc.errors, ...doc.warnings], (error) => {
    const path = error.code === 'MULTIPLE_DOCS' || error.code === 'TAB_AS_INDENT' ? [] : pathAtOffset(doc, error.pos[0]);
    return problem(error.pos[0], path, yamlErrorMessage(error, text, path));
  });
  if (yamlProblems.length > 0) return { problems: yamlProblems };
  if (doc.contents === null) return { problems: [problem({ line: 1, column: 1 }, [], 'the scenario file is empty')] };
  const alias = unresolvedAlias(doc);
  if (alias) return { problems: [problem(alias.offset, pathAtOffset(doc, alias.offset), `alias *${alias.name} has no anchor &${alias.name} before it`)] };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { problems: [problem(0, [], `cannot read the YAML: ${error instanceof Error ? error.message : String(error)}`)] };
  }
  if (!isMapping(value)) {
    return { problems: [problem(positionOf(doc, lineCounter, [], 'value'), [], `a scenario is a mapping (name:, steps:, ...), found ${describeValue(value)}`)] };
  }

  const ctx = new ParseContext();
  const scope = ctx.get(SCOPE);
  scope.baseDir = dirname(resolve(fileName));
  if (options.nodeNames) scope.shape.nodeNames = options.nodeNames;
  const spec = scenarioSchema.parse(value, [], ctx);
  const problems = ctx.problems.map((p) => problem(positionOf(doc, lineCounter, p.path, p.at), p.path, p.message)).sort(compareProblems);
  if (spec === INVALID || problems.length > 0) return { problems };
  const stepLines = spec.steps.map((_, i) => positionOf(doc, lineCounter, ['steps', i], 'value').line);
  return {
    scenario: { ...spec, source: { file: fileName, stepLines } },
    problems: [],
    namePosition: positionOf(doc, lineCounter, ['name'], 'value'),
  };
}

const MAX_SYNTAX_LINES = 5;

/**
 * YAML errors, one per line: after a broken collection the parser reports every following token,
 * so past a few lines the rest is summarised rather than listed.
 */
function syntaxProblems(errors: readonly YAMLError[], toProblem: (error: YAMLError) => ScenarioProblem): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const lines = new Set<number>();
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    const p = toProblem(error);
    if (lines.has(p.line)) continue;
    lines.add(p.line);
    problems.push(p);
  }
  if (problems.length <= MAX_SYNTAX_LINES) return problems;
  const rest = problems[MAX_SYNTAX_LINES] as ScenarioProblem;
  return [
    ...problems.slice(0, MAX_SYNTAX_LINES),
    { ...rest, message: `${problems.length - MAX_SYNTAX_LINES} more lines with YAML errors, probably caused by the ones above` },
  ];
}

function positionAt(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Parses one scenario; throws ScenarioError listing every problem. */
export function parseScenario(text: string, fileName: string, options: ParseOptions = {}): Scenario {
  const { scenario, problems } = checkScenario(text, fileName, options);
  if (!scenario) throw new ScenarioError(problems);
  return scenario;
}

function fileProblem(file: string, error: unknown): ScenarioProblem {
  const code = (error as { code?: unknown }).code;
  const message = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory, not a scenario file' : error instanceof Error ? error.message : String(error);
  return { file, line: 0, column: 0, path: '', message };
}

async function readChecked(file: string, options: ParseOptions): Promise<ScenarioCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { problems: [fileProblem(file, error)] };
  }
  return checkScenario(text, file, options);
}

/** Reads and parses one scenario file; throws ScenarioError listing every problem. */
export async function loadScenarioFile(path: string, options: ParseOptions = {}): Promise<Scenario> {
  const { scenario, problems } = await readChecked(path, options);
  if (!scenario) throw new ScenarioError(problems);
  return scenario;
}

const SCENARIO_FILE = /\.ya?ml$/i;

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile() && SCENARIO_FILE.test(entry.name)) out.push(full);
  }
}

/**
 * The scenario files under the given paths: directories are searched recursively for *.yaml and
 * *.yml (hidden folders and node_modules skipped); files are taken as given. Sorted, distinct.
 */
export async function findScenarioFiles(pathsOrDirs: readonly string[]): Promise<{ files: string[]; problems: ScenarioProblem[] }> {
  const files: string[] = [];
  const problems: ScenarioProblem[] = [];
  for (const path of pathsOrDirs) {
    try {
      if ((await stat(path)).isDirectory()) await walk(path, files);
      else files.push(path);
    } catch (error) {
      problems.push(fileProblem(path, error));
    }
  }
  return { files: [...new Set(files)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), problems };
}

export interface LoadOptions extends ParseOptions {
  /** Keep scenarios that have at least one of these tags. */
  readonly tags?: readonly string[];
  /** Keep scenarios whose name matches this regular expression. */
  readonly grep?: string | RegExp;
}

function toRegExp(grep: string | RegExp): RegExp {
  if (grep instanceof RegExp) return new RegExp(grep.source, grep.flags.replace(/[gy]/g, ''));
  try {
    return new RegExp(grep);
  } catch (error) {
    throw new Error(`invalid --grep pattern ${JSON.stringify(grep)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Loads every scenario under the given files and folders, then filters by tag and name. Every
 * file must be valid (a broken scenario is never silently skipped): all problems of all files are
 * thrown together as one ScenarioError, as are names used by more than one file.
 */
export async function loadScenarios(pathsOrDirs: readonly string[], options: LoadOptions = {}): Promise<Scenario[]> {
  const grep = options.grep === undefined ? undefined : toRegExp(options.grep);
  const { files, problems } = await findScenarioFiles(pathsOrDirs);
  const scenarios: Scenario[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const checked = await readChecked(file, options);
    problems.push(...checked.problems);
    const scenario = checked.scenario;
    if (!scenario) continue;
    const other = byName.get(scenario.name);
    if (other !== undefined) {
      const { line, column } = checked.namePosition ?? { line: 1, column: 1 };
      problems.push({ file, line, column, path: 'name', message: `scenario name "${scenario.name}" is also used by ${other}` });
      continue;
    }
    byName.set(scenario.name, file);
    scenarios.push(scenario);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenarios.filter((s) =>
    (options.tags === undefined || options.tags.length === 0 || s.tags.some((tag) => options.tags?.includes(tag))) &&
    (grep === undefined || grep.test(s.name)));
}

