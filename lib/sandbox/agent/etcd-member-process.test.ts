import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberNameOf, withMemberName, writeMemberName } from './etcd-member-process.ts';

describe('etcd member names (k3s setName: the name file beside the data)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-member-name-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is the name file's content when there is one, else the node's name (the plain sandbox)", () => {
    expect(memberNameOf(join(dir, 'etcd'), 'cp-0')).to.equal('cp-0');
    writeMemberName(join(dir, 'etcd'), 'cp-0-1a2b3c4d');
    expect(memberNameOf(join(dir, 'etcd'), 'cp-0')).to.equal('cp-0-1a2b3c4d');
  });

  it("puts this member's name (by its peer URL) into the plan it starts with, leaving the others as they are", () => {
    const plan = {
      state: 'existing' as const,
      initialCluster: [
        { name: 'cp-0-1a2b3c4d', peerUrl: 'http://10.213.0.2:2380' },
        { name: 'worker-0', peerUrl: 'http://10.213.0.5:2380' },
      ],
    };
    expect(withMemberName(plan, 'http://10.213.0.5:2380', 'worker-0-00ff00ff').initialCluster).to.deep.equal([
      { name: 'cp-0-1a2b3c4d', peerUrl: 'http://10.213.0.2:2380' },
      { name: 'worker-0-00ff00ff', peerUrl: 'http://10.213.0.5:2380' },
    ]);
    expect(withMemberName(plan, 'http://10.213.0.2:2380', 'cp-0-1a2b3c4d')).to.equal(plan);
  });
});
