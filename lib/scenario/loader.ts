// Loads scenario files: YAML with source positions, validated by the one schema (schema.ts),
// every problem collected into a FileProblemsError with file:line:col and the field path.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FileProblemsError, unreadableFileProblem } from '../schema/problems.ts';
import type { Problem } from '../schema/problems.ts';
import type { Position } from '../schema/locate.ts';
import { checkYamlFile } from '../schema/yaml-file.ts';
import { SCOPE, scenarioSchema } from './schema.ts';
import type { Scenario } from './types.ts';

export { formatProblem } from '../schema/problems.ts';
/** @deprecated The same class as FileProblemsError (lib/schema/problems.ts); kept while callers move to it. */
export { FileProblemsError as ScenarioError } from '../schema/problems.ts';
/** @deprecated The same type as Problem (lib/schema/problems.ts); kept while callers move to it. */
export type { Problem as ScenarioProblem } from '../schema/problems.ts';

export interface ParseOptions {
  /** Node names of the target cluster, when known: by-name selectors are then checked. */
  readonly nodeNames?: readonly string[];
}

export interface ScenarioCheck {
  readonly scenario?: Scenario;
  readonly problems: readonly Problem[];
  /** Where `name:` is, to report duplicate names across files. */
  readonly namePosition?: Position;
}

/** Parses and validates one scenario's text without throwing. */
export function checkScenario(text: string, fileName: string, options: ParseOptions = {}): ScenarioCheck {
  const {
    value: spec,
    problems,
    positionOf,
  } = checkYamlFile(text, fileName, scenarioSchema, {
    what: 'scenario file',
    notMapping: (found) => `a scenario is a mapping (name:, steps:, ...), found ${found}`,
    setup: (ctx) => {
      const scope = ctx.get(SCOPE);
      scope.baseDir = dirname(resolve(fileName));
      if (options.nodeNames) scope.shape.nodeNames = options.nodeNames;
    },
  });
  if (spec === undefined) return { problems };
  const stepLines = spec.steps.map((_, i) => positionOf(['steps', i]).line);
  return {
    scenario: { ...spec, source: { file: fileName, stepLines } },
    problems: [],
    namePosition: positionOf(['name']),
  };
}

/** Parses one scenario; throws FileProblemsError listing every problem. */
export function parseScenario(text: string, fileName: string, options: ParseOptions = {}): Scenario {
  const { scenario, problems } = checkScenario(text, fileName, options);
  if (!scenario) throw new FileProblemsError(problems);
  return scenario;
}

function fileProblem(file: string, error: unknown): Problem {
  return unreadableFileProblem(file, error, 'scenario file');
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

/** Reads and parses one scenario file; throws FileProblemsError listing every problem. */
export async function loadScenarioFile(path: string, options: ParseOptions = {}): Promise<Scenario> {
  const { scenario, problems } = await readChecked(path, options);
  if (!scenario) throw new FileProblemsError(problems);
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
export async function findScenarioFiles(pathsOrDirs: readonly string[]): Promise<{ files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
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
 * thrown together as one FileProblemsError, as are names used by more than one file.
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
  if (problems.length > 0) throw new FileProblemsError(problems);
  return scenarios.filter(
    (s) =>
      (options.tags === undefined || options.tags.length === 0 || s.tags.some((tag) => options.tags?.includes(tag))) &&
      (grep === undefined || grep.test(s.name)),
  );
}
