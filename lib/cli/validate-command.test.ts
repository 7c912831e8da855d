import { expect } from 'chai';
import { runCli } from './testing/run-cli.ts';
import { validateCommand } from './validate-command.ts';

describe('cpchaos validate: its arguments', () => {
  it('prints its usage for --help and starts nothing', async () => {
    const ran = await runCli(['validate', '--help']);
    expect(ran.code).to.equal(0);
    expect(ran.stdout).to.match(/^usage: cpchaos validate/);
    expect(ran.stdout, 'no case ran').to.not.match(/^(caught |MISSED )/m);
  });

  it('refuses an option it does not take before anything starts (the CLI maps the parse error to exit 2)', async () => {
    const error = await validateCommand(['--policy', 'x.ts'], new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(error?.code).to.equal('ERR_PARSE_ARGS_UNKNOWN_OPTION');
    expect(error?.message).to.match(/Unknown option '--policy'/);
  });
});
