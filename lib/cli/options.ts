// Option parsing and the usage error shared by every command.
import { parseArgs } from 'node:util';
import { SetupError } from '../util/errors.ts';

export class UsageError extends SetupError {}

type OptionSpec = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export function parseOptions<const T extends OptionSpec>(args: readonly string[], options: T) {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
}
