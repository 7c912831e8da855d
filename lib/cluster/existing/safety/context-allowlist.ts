// The context allowlist: a destructive run against an existing cluster needs its kubeconfig context to be listed,
// by a flag value or in a file with one context per line, so a stray KUBECONFIG never points faults at production.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { SetupError } from '../../../util/errors.ts';

/** Context names from a file: one per line; blank lines and lines starting with # are skipped. */
export function parseAllowlistFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The allowlist from --allow-context values: a value naming an existing file contributes the file's lines,
 * any other value is a context name.
 */
export function resolveAllowlist(values: readonly string[]): {
  readonly contexts: ReadonlySet<string>;
  readonly sources: readonly string[];
} {
  const contexts = new Set<string>();
  const sources: string[] = [];
  for (const value of values) {
    if (existsSync(value) && statSync(value).isFile()) {
      for (const name of parseAllowlistFile(readFileSync(value, 'utf8'))) contexts.add(name);
      sources.push(`file ${value}`);
    } else {
      contexts.add(value);
      sources.push(`--allow-context ${value}`);
    }
  }
  return { contexts, sources };
}

/** Throws a SetupError naming the context unless it is allowed. */
export function assertContextAllowed(context: string, allowlist: readonly string[]): void {
  const { contexts, sources } = resolveAllowlist(allowlist);
  if (contexts.has(context)) return;
  const from = sources.length === 0 ? 'no --allow-context was given' : `the allowlist (${sources.join(', ')}) does not name it`;
  throw new SetupError(
    `refusing to inject faults into kubeconfig context "${context}": ${from}. ` +
      `Pass --allow-context ${context} (or a file listing it) if this cluster may be broken on purpose, or use --dry-run.`,
  );
}
