import { expect } from 'chai';
import { runCli } from './testing/run-cli.ts';

describe('cpchaos validate: its arguments', () => {
  it('prints its usage for --help and starts nothing', async () => {
    const ran = await runCli(['validate', '--help']);
    expect(ran.code).to.equal(0);
    expect(ran.stdout).to.match(/^usage: cpchaos validate/);
    expect(ran.stdout, 'no case ran').to.not.match(/^(caught |MISSED )/m);
  });

  it('refuses an argument it does not take with exit 2', async () => {
    const ran = await runCli(['validate', '--policy', 'x.ts']);
    expect(ran.code).to.equal(2);
    expect(ran.stderr).to.match(/Unknown option '--policy'/);
  });
});
