// Scenario problems and the error that carries all of them.

export interface ScenarioProblem {
  readonly file: string;
  /** 1-based; 0 when the problem is about the file as a whole (e.g. it cannot be read). */
  readonly line: number;
  /** 1-based; 0 with line 0. */
  readonly column: number;
  /** Where in the scenario, like `steps[2].kill`; empty for the document root. */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col: path: message` — one line, like a compiler. */
export function formatProblem(problem: ScenarioProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return `${where}: ${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`;
}

export function compareProblems(a: ScenarioProblem, b: ScenarioProblem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/** Every problem found in one or more scenario files; the message has one line per problem. */
export class ScenarioError extends Error {
  readonly problems: readonly ScenarioProblem[];
  constructor(problems: readonly ScenarioProblem[]) {
    const sorted = [...problems].sort(compareProblems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = sorted;
  }
}
