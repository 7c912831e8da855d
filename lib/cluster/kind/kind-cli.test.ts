// The kind CLI wrapper's command lines and how tool failures become harness errors.
import { expect } from 'chai';
import { DeadlineError, SetupError } from '../../util/errors.ts';
import { hexId, parseLeader, parseMemberList } from './etcd.ts';
import { KindCli } from './kind-cli.ts';
import { startKindFakes, type KindFakes } from './testing/kind-fakes.ts';
import { ClusterCommandError, redactedCommand, ToolRunner } from './tools.ts';
import { rejection } from '../../util/rejection.testing.ts';

describe('kind CLI wrapper', () => {
  let fakes: KindFakes;
  let kind: KindCli;

  beforeEach(async () => {
    fakes = await startKindFakes();
    kind = new KindCli(new ToolRunner(fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'kind cpchaos-abc123' })));
  });

  afterEach(async () => {
    fakes.clearFailures();
    await fakes.close();
  });

  it('lists clusters and nodes, reads the kubeconfig, exports logs, deletes', async () => {
    expect(await kind.getClusters()).to.deep.equal(['kind', 'cpchaos-abc123']);
    expect(await kind.getNodes('cpchaos-abc123')).to.include('cpchaos-abc123-external-load-balancer');
    expect(await kind.getKubeconfig('cpchaos-abc123')).to.include(`server: ${fakes.api.url}`);
    await kind.exportLogs('cpchaos-abc123', `${fakes.dir}/logs`);
    await kind.deleteCluster('cpchaos-abc123');
    expect(fakes.lines()).to.deep.equal([
      'kind get clusters',
      'kind get nodes --name cpchaos-abc123',
      'kind get kubeconfig --name cpchaos-abc123',
      `kind export logs ${fakes.dir}/logs --name cpchaos-abc123`,
      'kind delete cluster --name cpchaos-abc123',
    ]);
  });

  it('turns failures into harness errors: exit code, timeout, missing binary, cancellation', async () => {
    fakes.failOn('get clusters', 'ERROR: failed to list clusters');
    const failed = await rejection(kind.getClusters());
    expect(failed).to.be.instanceOf(ClusterCommandError);
    expect((failed as ClusterCommandError).message).to.equal(
      'listing kind clusters failed: `kind get clusters` exited with code 1:\nERROR: failed to list clusters',
    );
    expect((failed as ClusterCommandError).stderr).to.equal('ERROR: failed to list clusters');

    fakes.hangOn('get nodes');
    const slow = new KindCli(new ToolRunner({ ...fakes.providerOptions(), commandTimeoutMs: 300 }));
    const timedOut = await rejection(slow.getNodes('x'));
    expect(timedOut).to.be.instanceOf(DeadlineError);
    expect((timedOut as Error).message).to.equal(
      'timed out after 300 ms waiting for `kind get nodes --name x` to finish (listing the nodes of kind cluster x)',
    );

    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 100);
    expect(((await rejection(kind.getNodes('x', controller.signal))) as Error).message).to.equal('stop now');

    const missing = await rejection(new KindCli(new ToolRunner({ binaries: { kind: '/nonexistent/kind' } })).getClusters());
    expect(missing).to.be.instanceOf(SetupError);
  });

  it('redacts kubeadm secrets from quoted commands', () => {
    expect(
      redactedCommand('docker', ['exec', 'n', 'kubeadm', 'join', 'lb:6443', '--token', 'abc.def', '--certificate-key', 'ff']),
    ).to.equal('docker exec n kubeadm join lb:6443 --token <redacted> --certificate-key <redacted>');
  });

  it('reads etcd member IDs exactly, past 2^53', () => {
    const json =
      '{"header":{"member_id":18446744073709551615},"members":[{"ID":18446744073709551615,"name":"a","peerURLs":["https://1.2.3.4:2380"]},{"ID":1,"name":"b"}]}';
    expect(parseMemberList(json)).to.deep.equal([
      { id: 'ffffffffffffffff', name: 'a', peerUrls: ['https://1.2.3.4:2380'] },
      { id: '1', name: 'b', peerUrls: [] },
    ]);
    expect(parseLeader('[{"Endpoint":"x","Status":{"leader":12297829382473034411}}]')).to.equal('aaaaaaaaaaaaaaab');
    expect(parseLeader('[{"Endpoint":"x","Status":{"leader":0}}]')).to.equal(undefined);
    expect(hexId('12297829382473034410')).to.equal('aaaaaaaaaaaaaaaa');
  });
});
