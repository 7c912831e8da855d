import { expect } from 'chai';
import { membershipAsNodes, nodeOfEtcdMember, nodeOrMemberName, rke2MemberName } from './etcd-members.ts';

describe('etcd member names -> node names', () => {
  const nodes = ['hv-1', 'hv-2', 'hv-2-a', 'worker-0'];
  it('an exact name is its node (the sandbox)', () => {
    expect(nodeOfEtcdMember('hv-1', nodes)).to.equal('hv-1');
  });
  it("RKE2's <node>-<8 hex> is its node (k3s pkg/etcd setName)", () => {
    expect(nodeOfEtcdMember('hv-1-3f9a1c2b', nodes)).to.equal('hv-1');
    expect(nodeOfEtcdMember('worker-0-0123abcd', nodes)).to.equal('worker-0');
  });
  it('a node whose name itself ends like a suffix still matches exactly first', () => {
    expect(nodeOfEtcdMember('hv-2-a', nodes)).to.equal('hv-2-a');
  });
  it('not 8 lowercase hex digits, or an unknown node: no node', () => {
    expect(nodeOfEtcdMember('hv-1-3F9A1C2B', nodes)).to.equal(undefined);
    expect(nodeOfEtcdMember('hv-1-3f9a1c2', nodes)).to.equal(undefined);
    expect(nodeOfEtcdMember('hv-9-3f9a1c2b', nodes)).to.equal(undefined);
    expect(nodeOrMemberName('hv-9-3f9a1c2b', nodes)).to.equal('hv-9-3f9a1c2b');
  });
  it('maps a whole membership', () => {
    expect(
      membershipAsNodes(
        {
          members: [
            { name: 'hv-1-3f9a1c2b', id: '1' },
            { name: 'hv-2-00000000', id: '2' },
            { name: 'gone-12345678', id: '3' },
          ],
          leader: 'hv-2-00000000',
        },
        nodes,
      ),
    ).to.deep.equal({ members: ['hv-1', 'hv-2', 'gone-12345678'], leader: 'hv-2' });
  });
});

describe("RKE2 member names (k3s setName: node name, '-', the first 8 characters of a random UUID)", () => {
  it('names a member after its node with a UUID prefix, which maps back to the node', () => {
    const name = rke2MemberName('worker-0', '3f9a1c2b-7d4e-4f00-9a2b-0123456789ab');
    expect(name).to.equal('worker-0-3f9a1c2b');
    expect(nodeOfEtcdMember(name, ['worker-0', 'cp-0'])).to.equal('worker-0');
  });
  it('refuses a UUID that does not start with 8 lower-case hex digits', () => {
    expect(() => rke2MemberName('cp-0', 'XYZ')).to.throw(RangeError);
  });
});
