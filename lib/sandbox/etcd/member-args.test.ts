import { expect } from 'chai';
import { ETCD_UNIX_SOCKET_URL, etcdMemberArgs, type EtcdMemberOptions } from './member-args.ts';

const base: EtcdMemberOptions = {
  name: 'cp-0',
  dataDir: '/var/lib/etcd/cp-0',
  peerUrl: 'http://10.0.0.1:2380',
  clientUrls: ['http://10.0.0.1:2379', 'http://127.0.0.1:2379'],
  advertiseClientUrl: 'http://10.0.0.1:2379',
  initialCluster: [
    { name: 'cp-0', peerUrl: 'http://10.0.0.1:2380' },
    { name: 'cp-1', peerUrl: 'http://10.0.0.2:2380' },
  ],
  initialClusterState: 'new',
  heartbeatMs: 100,
  electionTimeoutMs: 1000,
};

function flag(args: string[], name: string): string | undefined {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}

describe('etcdMemberArgs', () => {
  it('builds name, dirs, urls, cluster and timers', () => {
    const args = etcdMemberArgs(base);
    expect(flag(args, 'name')).to.equal('cp-0');
    expect(flag(args, 'data-dir')).to.equal('/var/lib/etcd/cp-0');
    expect(flag(args, 'listen-peer-urls')).to.equal('http://10.0.0.1:2380');
    expect(flag(args, 'initial-advertise-peer-urls')).to.equal('http://10.0.0.1:2380');
    expect(flag(args, 'listen-client-urls')).to.equal(`http://10.0.0.1:2379,http://127.0.0.1:2379,${ETCD_UNIX_SOCKET_URL}`);
    expect(flag(args, 'advertise-client-urls')).to.equal('http://10.0.0.1:2379');
    expect(flag(args, 'initial-cluster')).to.equal('cp-0=http://10.0.0.1:2380,cp-1=http://10.0.0.2:2380');
    expect(flag(args, 'initial-cluster-state')).to.equal('new');
    expect(flag(args, 'heartbeat-interval')).to.equal('100');
    expect(flag(args, 'election-timeout')).to.equal('1000');
    expect(flag(args, 'pre-vote')).to.equal('true');
    expect(flag(args, 'snapshot-count')).to.equal('10000');
    expect(flag(args, 'logger')).to.equal('zap');
    expect(flag(args, 'log-level')).to.equal('warn');
    expect(Number(flag(args, 'max-request-bytes'))).to.be.greaterThanOrEqual(4 * 1024 * 1024);
    expect(flag(args, 'auto-compaction-retention')).to.equal(undefined);
  });

  it('does not repeat the unix socket and can leave it out', () => {
    const withSocket = etcdMemberArgs({ ...base, clientUrls: [ETCD_UNIX_SOCKET_URL, 'http://127.0.0.1:1'] });
    expect(flag(withSocket, 'listen-client-urls')).to.equal(`${ETCD_UNIX_SOCKET_URL},http://127.0.0.1:1`);
    const without = etcdMemberArgs({ ...base, unixSocket: false });
    expect(flag(without, 'listen-client-urls')).to.equal('http://10.0.0.1:2379,http://127.0.0.1:2379');
  });

  it('passes existing state, overrides and auto compaction', () => {
    const args = etcdMemberArgs({
      ...base,
      initialClusterState: 'existing',
      snapshotCount: 5,
      quotaBackendBytes: 1024,
      logLevel: 'error',
      autoCompactionRetention: '5m',
    });
    expect(flag(args, 'initial-cluster-state')).to.equal('existing');
    expect(flag(args, 'snapshot-count')).to.equal('5');
    expect(flag(args, 'quota-backend-bytes')).to.equal('1024');
    expect(flag(args, 'log-level')).to.equal('error');
    expect(flag(args, 'auto-compaction-retention')).to.equal('5m');
    expect(flag(args, 'auto-compaction-mode')).to.equal('periodic');
  });

  it('rejects what etcd would reject at start', () => {
    expect(() => etcdMemberArgs({ ...base, electionTimeoutMs: 400 })).to.throw(RangeError, /5 x heartbeatMs/);
    expect(() => etcdMemberArgs({ ...base, name: 'cp-9' })).to.throw(RangeError, /does not name this member/);
    expect(() => etcdMemberArgs({ ...base, peerUrl: 'http://10.0.0.9:2380' })).to.throw(RangeError, /peer URL/);
    expect(() => etcdMemberArgs({ ...base, name: 'bad name' })).to.throw(RangeError, /bad etcd member name/);
    expect(() => etcdMemberArgs({ ...base, initialCluster: [] })).to.throw(RangeError, /empty/);
    const dup = [...base.initialCluster, { name: 'cp-1', peerUrl: 'http://10.0.0.3:2380' }];
    expect(() => etcdMemberArgs({ ...base, initialCluster: dup })).to.throw(RangeError, /repeats/);
  });
});
