import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetupError } from '../../../util/errors.ts';
import { assertContextAllowed, parseAllowlistFile, resolveAllowlist } from './context-allowlist.ts';

describe('context allowlist', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-allow-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads names from flag values and from files (one per line, # comments)', () => {
    const file = join(dir, 'allowed');
    writeFileSync(file, '# lab clusters\nlab-rack\n\n  nested-harvester  \n');
    expect(parseAllowlistFile('a\n# b\n\nc\n')).to.deep.equal(['a', 'c']);
    expect([...resolveAllowlist(['kind-cpchaos', file]).contexts].sort()).to.deep.equal(['kind-cpchaos', 'lab-rack', 'nested-harvester']);
    expect(() => assertContextAllowed('nested-harvester', [file])).not.to.throw();
    expect(() => assertContextAllowed('kind-cpchaos', ['kind-cpchaos'])).not.to.throw();
  });

  it('refuses a context that is not listed, naming it (setup error, exit 2)', () => {
    expect(() => assertContextAllowed('production', ['lab-rack'])).to.throw(
      SetupError,
      'refusing to inject faults into kubeconfig context "production": the allowlist (--allow-context lab-rack) does not name it',
    );
    expect(() => assertContextAllowed('production', [])).to.throw(SetupError, /context "production": no --allow-context was given/);
  });
});
