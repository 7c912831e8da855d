import { expect } from 'chai';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { startSingleEtcd, type SingleEtcd } from '../etcd/testing/single-etcd.ts';
import { toApiError } from './error-map.ts';
import { labelsOf, metaOf, type KubeObject } from './object-meta.ts';
import { findResource, type ResourceInfo } from './resources.ts';
import { ObjectStore } from './storage.ts';
import { prepareForCreate, prepareForUpdate } from './strategy.ts';

const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
const rv = (obj: KubeObject): string => String(metaOf(obj).resourceVersion);

/** The client, counting its reads of single keys. */
function countingGets(client: EtcdClient): { client: EtcdClient; gets: () => number } {
  let gets = 0;
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'get' || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        gets++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: counted, gets: () => gets };
}

/** Sets label `key`=`value`, optionally requiring a resourceVersion; `require` labels must be there already. */
function setLabel(key: string, value: string, options: { expected?: string; require?: string } = {}) {
  return (current: KubeObject) => {
    const labels = labelsOf(current);
    if (options.require !== undefined && labels[options.require] === undefined) throw new Error(`no label ${options.require}`);
    return {
      object: prepareForUpdate(
        nodes,
        current,
        { ...current, metadata: { ...metaOf(current), labels: { ...labels, [key]: value } } },
        undefined,
      ),
      expectedResourceVersion: options.expected,
    };
  };
}

describe('ObjectStore updates from the last known state (GuaranteedUpdate cached object), on a real etcd', function () {
  this.timeout(60_000);
  let etcd: SingleEtcd;
  let raw: EtcdClient;
  let mine: ObjectStore;
  let gets: () => number;
  /** Another API server on the same etcd: its writes make `mine`'s guesses stale. */
  let other: ObjectStore;
  const signal = (): AbortSignal => AbortSignal.timeout(2000);

  before(async () => {
    etcd = await startSingleEtcd();
    raw = etcd.client(2000);
    const counting = countingGets(raw);
    gets = counting.gets;
    mine = new ObjectStore(counting.client);
    other = new ObjectStore(raw);
  });
  after(async () => {
    raw?.close();
    await etcd?.stop();
  });

  const create = (store: ObjectStore, name: string): Promise<KubeObject> =>
    store.create(nodes, undefined, prepareForCreate(nodes, { metadata: { name, labels: {} } }, name, undefined), signal());
  const stored = async (name: string): Promise<Record<string, string>> => labelsOf(await other.get(nodes, undefined, name, signal()));

  it('an update of an object it wrote reads nothing from etcd first', async () => {
    await create(mine, 'lk-1');
    const before = gets();
    const first = await mine.update(nodes, undefined, 'lk-1', setLabel('a', '1'), signal());
    const second = await mine.update(nodes, undefined, 'lk-1', setLabel('b', '2', { expected: rv(first) }), signal());
    expect(gets() - before).to.equal(0);
    expect(await stored('lk-1')).to.deep.equal({ a: '1', b: '2' });
    expect(Number(rv(second))).to.be.greaterThan(Number(rv(first)));
  });

  it('a stale guess loses no update: the swap fails and the current state is used', async () => {
    await create(mine, 'lk-2');
    await other.update(nodes, undefined, 'lk-2', setLabel('theirs', 'x'), signal());
    const updated = await mine.update(nodes, undefined, 'lk-2', setLabel('mine', 'y'), signal());
    expect(labelsOf(updated)).to.deep.equal({ theirs: 'x', mine: 'y' });
    expect(await stored('lk-2')).to.deep.equal({ theirs: 'x', mine: 'y' });
  });

  it('a client holding the current resourceVersion is not refused for a stale guess; one holding an old one is', async () => {
    await create(mine, 'lk-3');
    const theirs = await other.update(nodes, undefined, 'lk-3', setLabel('theirs', 'x'), signal());
    const updated = await mine.update(nodes, undefined, 'lk-3', setLabel('mine', 'y', { expected: rv(theirs) }), signal());
    expect(labelsOf(updated)).to.deep.equal({ theirs: 'x', mine: 'y' });
    try {
      await mine.update(nodes, undefined, 'lk-3', setLabel('late', 'z', { expected: rv(theirs) }), signal());
      expect.fail('an update with an outdated resourceVersion succeeded');
    } catch (error) {
      expect(toApiError(error).code).to.equal(409);
    }
  });

  it('"no change" is judged on the current state, not on a stale guess', async () => {
    await create(mine, 'lk-4');
    await mine.update(nodes, undefined, 'lk-4', setLabel('a', '1'), signal());
    const theirs = await other.update(nodes, undefined, 'lk-4', setLabel('a', '2'), signal());
    // Setting a=1 is no change to the guess (a=1), but a change to the current state (a=2).
    const updated = await mine.update(nodes, undefined, 'lk-4', setLabel('a', '1'), signal());
    expect(await stored('lk-4')).to.deep.equal({ a: '1' });
    expect(Number(rv(updated))).to.be.greaterThan(Number(rv(theirs)));
  });

  it("an error the guess caused is retried on the current state; the current state's own error is returned", async () => {
    await create(mine, 'lk-5');
    await other.update(nodes, undefined, 'lk-5', setLabel('needed', 'x'), signal());
    const updated = await mine.update(nodes, undefined, 'lk-5', setLabel('mine', 'y', { require: 'needed' }), signal());
    expect(labelsOf(updated)).to.deep.equal({ needed: 'x', mine: 'y' });
    try {
      await mine.update(nodes, undefined, 'lk-5', setLabel('mine', 'z', { require: 'absent' }), signal());
      expect.fail('tryUpdate threw, yet the update succeeded');
    } catch (error) {
      expect((error as Error).message).to.equal('no label absent');
    }
  });

  it('an object deleted elsewhere is NotFound, and one created again under the name is updated as it is now', async () => {
    await create(mine, 'lk-6');
    await other.delete(nodes, undefined, 'lk-6', {}, signal());
    try {
      await mine.update(nodes, undefined, 'lk-6', setLabel('a', '1'), signal());
      expect.fail('an update of a deleted object succeeded');
    } catch (error) {
      expect(toApiError(error).code).to.equal(404);
    }
    await create(mine, 'lk-7');
    await other.delete(nodes, undefined, 'lk-7', {}, signal());
    await create(other, 'lk-7');
    await other.update(nodes, undefined, 'lk-7', setLabel('again', 'yes'), signal());
    await mine.update(nodes, undefined, 'lk-7', setLabel('a', '1'), signal());
    expect(await stored('lk-7')).to.deep.equal({ again: 'yes', a: '1' });
  });
});
