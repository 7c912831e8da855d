import { expect } from 'chai';
import { EtcdCompactedError, EtcdUnavailableError } from './errors.ts';
import { EtcdClient } from './gateway-client.ts';
import { startSingleEtcd, type SingleEtcd } from './testing/single-etcd.ts';
import type { WatchEvent } from './watch-stream.ts';

describe('EtcdClient (real etcd over the JSON gateway)', function () {
  this.timeout(60_000);
  let etcd: SingleEtcd;
  let client: EtcdClient;

  before(async () => {
    etcd = await startSingleEtcd();
    client = etcd.client(2000);
  });
  after(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('puts, gets and ranges over the unix socket and over HTTP', async () => {
    const { revision } = await client.put('/t/a', '{"v":"ä"}');
    const got = await client.get('/t/a');
    expect(got.kv?.value).to.equal('{"v":"ä"}');
    expect(got.kv?.modRevision).to.equal(revision);
    expect(got.kv?.createRevision).to.equal(revision);
    expect(got.kv?.version).to.equal(1);
    await client.put('/t/b', 'b');
    await client.put('/tx', 'not under /t/');
    const viaHttp = new EtcdClient({ endpoint: { url: etcd.url }, deadlineMs: 2000 });
    try {
      const all = await viaHttp.range('/t/', { prefix: true });
      expect(all.kvs.map((kv) => kv.key)).to.deep.equal(['/t/a', '/t/b']);
      expect(all.count).to.equal(2);
      expect(all.revision).to.be.greaterThan(revision);
      const limited = await viaHttp.range('/t/', { prefix: true, limit: 1, serializable: true });
      expect(limited.kvs).to.have.length(1);
      expect(limited.more).to.equal(true);
      const old = await viaHttp.range('/t/', { prefix: true, revision });
      expect(old.kvs.map((kv) => kv.key)).to.deep.equal(['/t/a']);
      const counted = await viaHttp.range('/t/', { prefix: true, countOnly: true });
      expect(counted.count).to.equal(2);
      expect(counted.kvs).to.have.length(0);
    } finally {
      viaHttp.close();
    }
    expect((await client.get('/t/missing')).kv).to.equal(undefined);
  });

  it('creates only if absent and swaps only at the expected mod revision', async () => {
    const first = await client.createIfAbsent('/c/x', 'one');
    expect(first.succeeded).to.equal(true);
    const second = await client.createIfAbsent('/c/x', 'two');
    expect(second.succeeded).to.equal(false);
    expect(second.succeeded === false && second.current?.value).to.equal('one');
    const stale = await client.compareAndSwap('/c/x', first.revision - 1, 'three');
    expect(stale.succeeded).to.equal(false);
    expect(stale.succeeded === false && stale.current?.modRevision).to.equal(first.revision);
    const swapped = await client.compareAndSwap('/c/x', first.revision, 'three');
    expect(swapped.succeeded).to.equal(true);
    expect((await client.get('/c/x')).kv?.value).to.equal('three');
    const absent = await client.compareAndSwap('/c/none', 5, 'x');
    expect(absent.succeeded === false && absent.current).to.equal(undefined);
  });

  it('deletes with and without a mod revision guard', async () => {
    const { revision } = await client.put('/d/x', 'x');
    const refused = await client.delete('/d/x', { modRevision: revision + 100 });
    expect(refused.succeeded).to.equal(false);
    expect(refused.current?.value).to.equal('x');
    const guarded = await client.delete('/d/x', { modRevision: revision });
    expect(guarded.succeeded).to.equal(true);
    expect(guarded.deleted).to.equal(1);
    expect(guarded.prevKvs[0]?.value).to.equal('x');
    await client.put('/d/y', 'y');
    await client.put('/d/z', 'z');
    const all = await client.delete('/d/', { prefix: true });
    expect(all.deleted).to.equal(2);
    expect((await client.range('/d/', { prefix: true })).kvs).to.have.length(0);
  });

  it('watches a prefix with previous values, from a revision', async () => {
    const start = (await client.put('/w/a', '1')).revision;
    const seen: WatchEvent[] = [];
    const controller = new AbortController();
    const watch = client.watch('/w/', start, (events) => seen.push(...events), controller.signal);
    expect(await watch.created).to.be.a('number');
    await client.put('/w/a', '2');
    await client.put('/other', 'x');
    await client.delete('/w/a');
    const deadline = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await watch.done;
    expect(seen.map((e) => `${e.type}:${e.kv.key}`)).to.deep.equal(['PUT:/w/a', 'PUT:/w/a', 'DELETE:/w/a']);
    expect(seen[1]?.prevKv?.value).to.equal('1');
    expect(seen[2]?.prevKv?.value).to.equal('2');
    expect(seen[2]?.kv.modRevision).to.be.greaterThan(seen[1]?.kv.modRevision ?? Infinity);
  });

  it('compacts; reading or watching a compacted revision is EtcdCompactedError', async () => {
    const first = (await client.put('/k/a', '1')).revision;
    const second = (await client.put('/k/a', '2')).revision;
    await client.compact(second);
    try {
      await client.range('/k/', { prefix: true, revision: first });
      expect.fail('range at a compacted revision succeeded');
    } catch (error) {
      expect(error).to.be.instanceOf(EtcdCompactedError);
    }
    const watch = client.watch('/k/', first, () => undefined);
    try {
      await watch.done;
      expect.fail('watch from a compacted revision ended cleanly');
    } catch (error) {
      expect(error).to.be.instanceOf(EtcdCompactedError);
      expect((error as EtcdCompactedError).compactRevision).to.equal(second);
    }
  });

  it('reports status and membership with exact uint64 ids', async () => {
    const status = await client.status();
    expect(status.leader).to.match(/^\d+$/);
    expect(status.leader).to.equal(status.memberId);
    expect(BigInt(`0x${status.leaderHex}`).toString()).to.equal(status.leader);
    expect(status.raftTerm).to.be.greaterThan(0);
    expect(status.revision).to.be.greaterThan(0);
    const list = await client.memberList();
    expect(list.members).to.have.length(1);
    expect(list.members[0]?.id).to.equal(status.memberId);
    expect(list.members[0]?.name).to.equal('solo');
  });

  it('adds a learner and removes it by hex id', async () => {
    const added = await client.memberAdd(['http://127.0.0.1:1'], true);
    expect(added.member.isLearner).to.equal(true);
    expect(added.members).to.have.length(2);
    const removed = await client.memberRemove(added.member.idHex);
    expect(removed.members.map((m) => m.id)).to.not.include(added.member.id);
  });

  it('fails with EtcdUnavailableError naming the endpoint when nothing listens', async () => {
    const dead = new EtcdClient({ endpoint: { url: 'http://127.0.0.1:1' }, deadlineMs: 500 });
    try {
      await dead.put('/x', 'y');
      expect.fail('put to a dead endpoint succeeded');
    } catch (error) {
      expect(error).to.be.instanceOf(EtcdUnavailableError);
      expect((error as Error).message)
        .to.include('http://127.0.0.1:1')
        .and.include('put /x');
      expect((error as Error).cause).to.be.instanceOf(Error);
    }
    const watch = dead.watch('/x/', 0, () => undefined);
    try {
      await watch.done;
      expect.fail('watch on a dead endpoint ended cleanly');
    } catch (error) {
      expect(error).to.be.instanceOf(EtcdUnavailableError);
    }
  });

  it('times out a call that etcd does not answer', async () => {
    // A listener that accepts and never replies stands in for a minority member's linearizable read.
    const net = await import('node:net');
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const silent = new EtcdClient({ endpoint: { url: `http://127.0.0.1:${port}` }, deadlineMs: 300 });
    const started = Date.now();
    try {
      await silent.range('/x');
      expect.fail('a silent endpoint answered');
    } catch (error) {
      expect(error).to.be.instanceOf(EtcdUnavailableError);
      expect((error as Error).message).to.include('no reply within 300 ms');
      expect(Date.now() - started, 'gave up at its deadline, did not hang').to.be.lessThan(10_000);
    } finally {
      silent.close();
      server.close();
    }
  });
});
