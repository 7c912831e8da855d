import { expect } from 'chai';
import type { KeyValue } from '../etcd/codec.ts';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import type { EtcdWatch, WatchEvent, WatchListener } from '../etcd/watch-stream.ts';
import { WatchCache } from './watch-cache.ts';

const PREFIX = '/registry/nodes/';

function kv(name: string, modRevision: number): KeyValue {
  return { key: `${PREFIX}${name}`, value: `{"n":"${name}"}`, createRevision: modRevision, modRevision, version: 1, lease: '0' };
}
const put = (name: string, revision: number): WatchEvent => ({ type: 'PUT', kv: kv(name, revision) });
const del = (name: string, revision: number): WatchEvent => ({ type: 'DELETE', kv: kv(name, revision) });

/** The two etcd calls the cache makes: a range of the resource, then a watch from after it, each under test control. */
class FakeEtcd {
  ranges = 0;
  kvs: KeyValue[] = [];
  revision = 10;
  watches: { from: number; onEvents: WatchListener; end: (error?: unknown) => void }[] = [];

  client(): EtcdClient {
    const fake = {
      range: async () => {
        this.ranges++;
        return { kvs: [...this.kvs], revision: this.revision, count: this.kvs.length, more: false };
      },
      watch: (_prefix: string, from: number, onEvents: WatchListener, signal: AbortSignal): EtcdWatch => {
        let end!: (error?: unknown) => void;
        const done = new Promise<void>((resolve, reject) => {
          end = (error) => (error === undefined ? resolve() : reject(error));
        });
        done.catch(() => undefined);
        signal.addEventListener('abort', () => end(), { once: true });
        this.watches.push({ from, onEvents, end });
        return { created: Promise.resolve(this.revision), done, cancel: () => end() };
      },
    };
    return fake as unknown as EtcdClient;
  }

  /** The last watch opened: events delivered through it as etcd would. */
  send(events: WatchEvent[]): void {
    const watch = this.watches.at(-1);
    if (!watch) throw new Error('no etcd watch open');
    watch.onEvents(events, Math.max(...events.map((e) => e.kv.modRevision)));
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WatchCache', () => {
  let closing: AbortController;
  beforeEach(() => {
    closing = new AbortController();
  });
  afterEach(() => closing.abort());

  it('starts on first use with a list and a watch from after it, then serves reads from memory', async () => {
    const etcd = new FakeEtcd();
    etcd.kvs = [kv('b', 5), kv('a', 7)];
    const cache = new WatchCache(etcd.client(), closing.signal);
    expect(cache.read(PREFIX, PREFIX), 'not live on first use').to.equal(undefined);
    await settle();
    expect(etcd.watches.map((w) => w.from)).to.deep.equal([11]);
    const read = cache.read(PREFIX, PREFIX);
    expect(read?.kvs.map((k) => k.key)).to.deep.equal([`${PREFIX}a`, `${PREFIX}b`]);
    expect(read?.revision).to.equal(10);
    etcd.send([put('c', 11), del('a', 12)]);
    const after = cache.read(PREFIX, PREFIX);
    expect(after?.kvs.map((k) => k.key)).to.deep.equal([`${PREFIX}b`, `${PREFIX}c`]);
    expect(after?.revision).to.equal(12);
    expect(cache.read(PREFIX, `${PREFIX}c`)?.kvs.map((k) => k.key)).to.deep.equal([`${PREFIX}c`]);
    expect(etcd.ranges, 'reads after the start ask etcd nothing').to.equal(1);
  });

  it('replays the window from a watch start, then the live events, filtered by key prefix', async () => {
    const etcd = new FakeEtcd();
    const cache = new WatchCache(etcd.client(), closing.signal);
    cache.read(PREFIX, PREFIX);
    await settle();
    etcd.send([put('a', 11), put('b', 12), put('a', 13)]);
    const seen: string[] = [];
    const watch = cache.watch(
      PREFIX,
      `${PREFIX}a`,
      12,
      (events) => seen.push(...events.map((e) => `${e.type} ${e.kv.key} ${e.kv.modRevision}`)),
      new AbortController().signal,
    );
    expect(watch).to.not.equal(undefined);
    await settle();
    etcd.send([put('b', 14), del('a', 15)]);
    expect(seen).to.deep.equal([`PUT ${PREFIX}a 13`, `DELETE ${PREFIX}a 15`]);
    expect(etcd.watches.length, 'one etcd watch for every client watch').to.equal(1);
  });

  it('does not serve a watch from before its window, nor one before it is live', async () => {
    const etcd = new FakeEtcd();
    const cache = new WatchCache(etcd.client(), closing.signal, { capacity: 2 });
    expect(
      cache.watch(PREFIX, PREFIX, 11, () => undefined, new AbortController().signal),
      'before live',
    ).to.equal(undefined);
    await settle();
    expect(cache.covers(PREFIX, 10)).to.equal(true);
    expect(cache.covers(PREFIX, 9), 'before the start list').to.equal(false);
    etcd.send([put('a', 11), put('b', 12), put('c', 13)]);
    // Capacity 2 keeps revisions 12 and 13: a watch from 12 on is served, one from 11 is not.
    expect(cache.covers(PREFIX, 11)).to.equal(true);
    expect(cache.covers(PREFIX, 10)).to.equal(false);
    expect(cache.watch(PREFIX, PREFIX, 11, () => undefined, new AbortController().signal)).to.equal(undefined);
  });

  it("ends its client watches with the etcd watch's error, goes to etcd meanwhile, and starts again after retryMs", async () => {
    const etcd = new FakeEtcd();
    let nowMs = 0;
    const cache = new WatchCache(etcd.client(), closing.signal, { retryMs: 1000, nowMs: () => nowMs });
    cache.read(PREFIX, PREFIX);
    await settle();
    const watch = cache.watch(PREFIX, PREFIX, 11, () => undefined, new AbortController().signal);
    const failure = new Error('etcdserver: no leader');
    etcd.watches[0]?.end(failure);
    let ended: unknown;
    await watch?.done.catch((error: unknown) => (ended = error));
    expect(ended).to.equal(failure);
    expect(cache.read(PREFIX, PREFIX), 'down: reads go to etcd').to.equal(undefined);
    nowMs = 999;
    await settle();
    expect(etcd.ranges, 'not started again before retryMs').to.equal(1);
    nowMs = 1000;
    cache.read(PREFIX, PREFIX);
    await settle();
    expect(etcd.ranges).to.equal(2);
    expect(cache.isLive(PREFIX)).to.equal(true);
  });

  it('ends a client watch whose listener throws, and one whose signal aborts, leaving the others', async () => {
    const etcd = new FakeEtcd();
    const cache = new WatchCache(etcd.client(), closing.signal);
    cache.read(PREFIX, PREFIX);
    await settle();
    const boom = new Error('boom');
    const throwing = cache.watch(
      PREFIX,
      PREFIX,
      11,
      () => {
        throw boom;
      },
      new AbortController().signal,
    );
    const abort = new AbortController();
    const aborted = cache.watch(PREFIX, PREFIX, 11, () => undefined, abort.signal);
    const seen: number[] = [];
    cache.watch(PREFIX, PREFIX, 11, (events) => seen.push(...events.map((e) => e.kv.modRevision)), new AbortController().signal);
    abort.abort();
    await aborted?.done;
    etcd.send([put('a', 11)]);
    let thrown: unknown;
    await throwing?.done.catch((error: unknown) => (thrown = error));
    expect(thrown).to.equal(boom);
    etcd.send([put('a', 12)]);
    expect(seen).to.deep.equal([11, 12]);
  });

  it('is off with capacity 0', () => {
    const etcd = new FakeEtcd();
    const cache = new WatchCache(etcd.client(), closing.signal, { capacity: 0 });
    expect(cache.read(PREFIX, PREFIX)).to.equal(undefined);
    expect(cache.covers(PREFIX, 10)).to.equal(false);
    expect(etcd.ranges).to.equal(0);
  });
});
