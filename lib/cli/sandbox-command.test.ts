// `cpchaos sandbox up --profile`: a known profile only, refused before anything starts.
import { expect } from 'chai';
import { sandboxCommand } from './sandbox-command.ts';
import { UsageError } from './options.ts';

describe('cpchaos sandbox up --profile', () => {
  it('refuses an unknown profile, naming the known ones, before starting anything', async () => {
    let error: unknown;
    await sandboxCommand(['up', '--profile', 'rke2']).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.equal('--profile: expected one of plain, harvester, got "rke2"');
  });
});
