// The one problem format of every file cpchaos reads (scenarios, executors, topologies, histories), and the one
// error that carries a file's problems.
import { SetupError } from '../util/errors.ts';

/** One thing wrong in a file, where it is and what it is. */
export interface Problem {
  readonly file: string;
  /** 1-based; 0 when the problem is about the file as a whole (e.g. it cannot be read) or has no known line. */
  readonly line: number;
  /** 1-based; 0 with line 0. */
  readonly column: number;
  /** Where in the document, like `steps[2].kill` or `events[5].node.name`; empty for the document root. */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col: path: message` — one line, like a compiler. */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return `${where}: ${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`;
}

export function compareProblems(a: Problem, b: Problem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/**
 * Every problem found in one or more files, sorted by file and position; the message has one line per problem.
 * Bad input, so a SetupError (exit code 2).
 */
export class FileProblemsError extends SetupError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const sorted = [...problems].sort(compareProblems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'FileProblemsError';
    this.problems = sorted;
  }
}

/** The problem for a file that cannot be read; `what` names the kind of file ("scenario file"). */
export function unreadableFileProblem(file: string, error: unknown, what: string): Problem {
  const code = (error as { code?: unknown }).code;
  const message =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EISDIR'
        ? `is a directory, not a ${what}`
        : error instanceof Error
          ? error.message
          : String(error);
  return { file, line: 0, column: 0, path: '', message };
}
