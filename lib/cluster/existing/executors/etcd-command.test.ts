import { expect } from 'chai';
import { parseExecutors } from './config-file.ts';
import { parseEtcdMembership, readEtcdMembership } from './etcd-command.ts';

describe('executors file: etcd command and timers', () => {
  it('reads the etcd command (argv, no shell) and the cluster timers with units', async () => {
    const config = parseExecutors(
      [
        'etcd:',
        '  command: ssh root@10.0.0.1 "/usr/local/bin/etcd-view --json"',
        '  timeout: 5s',
        'timers:',
        '  nodeMonitorGrace: 2500ms',
        '  etcdElectionTimeout: 1s',
      ].join('\n'),
      '/lab/executors.yaml',
    );
    expect(config.timers).to.deep.equal({ nodeMonitorGraceMs: 2500, etcdElectionTimeoutMs: 1000 });
    expect(config.etcd?.timeoutMs).to.equal(5000);
    const calls: { file: string; args: readonly string[]; timeoutMs: number }[] = [];
    const membership = await readEtcdMembership(config.etcd!, async (file, args, options) => {
      calls.push({ file, args, timeoutMs: options.timeoutMs });
      return '{"members":[{"name":"n1","id":"a1"},{"name":"n2","id":"b2"}],"leader":"n2"}';
    });
    expect(calls).to.deep.equal([{ file: 'ssh', args: ['root@10.0.0.1', '/usr/local/bin/etcd-view --json'], timeoutMs: 5000 }]);
    expect(membership).to.deep.equal({
      members: [
        { name: 'n1', id: 'a1' },
        { name: 'n2', id: 'b2' },
      ],
      leader: 'n2',
    });
  });

  it('refuses placeholders in the etcd command and timers without units, with their place', () => {
    let message = '';
    try {
      parseExecutors(
        ['etcd:', '  command: ssh {node.address} etcdctl member list', 'timers:', '  nodeMonitorGrace: 40'].join('\n'),
        '/lab/executors.yaml',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include(
      '/lab/executors.yaml:2:12: etcd.command: the etcd command runs once for the cluster: it takes no {node.*} placeholders',
    );
    expect(message).to.match(/\/lab\/executors\.yaml:4:\d+: timers\.nodeMonitorGrace: .*"40s"/);
  });

  it('checks what the etcd command printed', () => {
    expect(parseEtcdMembership('{"members":[],"leader":null}', 'cmd')).to.deep.equal({ members: [] });
    expect(() => parseEtcdMembership('member list: ok', 'cmd')).to.throw('cmd did not print JSON');
    expect(() => parseEtcdMembership('{"members":[{"name":"n1"}]}', 'cmd')).to.throw(/expected \{"members"/);
    expect(() => parseEtcdMembership('{"members":[],"leader":7}', 'cmd')).to.throw('"leader" must be a member name');
  });
});
