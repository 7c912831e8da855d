// Reads an executors file (fixtures/existing/*.yaml): YAML with positions, validated by executorsSchema; every
// problem becomes one `file:line:col: path: message` line of a FileProblemsError (a SetupError: bad input, exit code 2).
import { dirname, resolve } from 'node:path';
import { FileProblemsError } from '../../../schema/problems.ts';
import { checkYamlFile, readFileText } from '../../../schema/yaml-file.ts';
import { EXECUTORS_SCOPE, executorsSchema } from './config-schema.ts';
import type { ExecutorsConfig } from './config-types.ts';

/** Parses the text of an executors file; `file` names it in problems and anchors relative paths. */
export function parseExecutors(text: string, file: string): ExecutorsConfig {
  const absolute = resolve(file);
  const { value, problems } = checkYamlFile(text, file, executorsSchema, {
    what: 'executors file',
    notMapping: () => 'an executors file is a mapping (faults:, nodes:, ipmi:, kubevirt:)',
    setup: (ctx) => Object.assign(ctx.get(EXECUTORS_SCOPE), { file: absolute, baseDir: dirname(absolute) }),
  });
  if (value === undefined) throw new FileProblemsError(problems);
  return { file: absolute, ...value };
}

export function loadExecutorsFile(file: string): ExecutorsConfig {
  return parseExecutors(readFileText(file, 'executors file'), file);
}
