// The contract every ClusterProvider keeps, as a reusable mocha suite: call describeProviderContract from a
// provider's own test file with a factory that knows how to start it, make its start fail, and find leftovers.
//   - supportedFaults is a set of known fault kinds, the same on the provider and on a started cluster;
//   - asking a started cluster for a fault outside the set rejects with UnsupportedFaultError;
//   - stop() is idempotent and leaves nothing behind; [Symbol.asyncDispose]() calls stop();
//   - a start that fails partway cleans up and rejects with the original error (not a teardown error);
//   - a start with an aborted signal rejects and leaves nothing behind.
import { FAULT_KINDS, type FaultKind, type FaultRequest } from '../../faults/catalogue.ts';
import { expect } from 'chai';
import { UnsupportedFaultError, type ClusterProvider, type StartedCluster } from './provider.ts';
import { rejection } from '../../util/rejection.testing.ts';

export interface ProviderContractFixture<Options> {
  /** A provider whose start(options) succeeds. */
  readonly provider: ClusterProvider<Options>;
  readonly options: Options;
  /** A provider and options whose start fails after it has set something up. */
  readonly failingStart: {
    readonly provider: ClusterProvider<Options>;
    readonly options: Options;
    /** True for the error the failure itself raises (the one start must rethrow). */
    isOriginalError(error: unknown): boolean;
  };
  /** What the providers left behind (descriptions); empty when everything was torn down. */
  leftovers(): Promise<readonly string[]>;
  /** Releases the fixture itself. */
  close?(): Promise<void>;
}

export function requestFor(kind: FaultKind, nodes: readonly string[]): FaultRequest {
  switch (kind) {
    case 'partition':
      return { kind, groups: [nodes.slice(0, 1), nodes.slice(1)] };
    case 'drop':
      return { kind, from: nodes.slice(0, 1), to: nodes.slice(1, 2) };
    case 'heal':
      return { kind };
    default:
      return { kind, nodes: nodes.slice(0, 1) };
  }
}

export function describeProviderContract<Options>(name: string, factory: () => Promise<ProviderContractFixture<Options>>): void {
  describe(`provider contract: ${name}`, function () {
    let fixture: ProviderContractFixture<Options>;
    const started: StartedCluster[] = [];

    beforeEach(async () => {
      fixture = await factory();
    });

    afterEach(async () => {
      for (const cluster of started.splice(0)) await cluster.stop().catch(() => undefined);
      await fixture.close?.();
    });

    async function start(): Promise<StartedCluster> {
      const cluster = await fixture.provider.start(fixture.options);
      started.push(cluster);
      return cluster;
    }

    it('declares a non-empty set of known fault kinds, the same before and after starting', async () => {
      const declared = [...fixture.provider.supportedFaults];
      expect(declared.length).to.be.greaterThan(0);
      expect(FAULT_KINDS).to.include.members(declared);
      const cluster = await start();
      expect([...cluster.supportedFaults].sort()).to.deep.equal([...declared].sort());
      expect(cluster.provider).to.equal(fixture.provider.name);
    });

    it('rejects a fault outside supportedFaults with UnsupportedFaultError', async function () {
      const unsupported = FAULT_KINDS.filter((kind) => !fixture.provider.supportedFaults.has(kind));
      const kind = unsupported[0];
      if (kind === undefined) this.skip();
      const cluster = await start();
      const error = await rejection(
        cluster.inject(
          requestFor(
            kind,
            cluster.nodes.map((n) => n.name),
          ),
        ),
      );
      expect(error).to.be.instanceOf(UnsupportedFaultError);
    });

    it('stops idempotently and leaves nothing behind', async () => {
      const cluster = await start();
      await cluster.stop();
      await cluster.stop();
      await Promise.all([cluster.stop(), cluster.stop()]);
      expect(await fixture.leftovers()).to.deep.equal([]);
    });

    it('stops when disposed', async () => {
      const cluster = await start();
      let stops = 0;
      const stop = cluster.stop.bind(cluster);
      Object.defineProperty(cluster, 'stop', { value: () => (stops++, stop()), configurable: true });
      await cluster[Symbol.asyncDispose]();
      expect(stops).to.equal(1);
      expect(await fixture.leftovers()).to.deep.equal([]);
    });

    it('cleans up after a failed start and rethrows the original error', async () => {
      const { provider, options, isOriginalError } = fixture.failingStart;
      const error = await rejection(provider.start(options));
      expect(isOriginalError(error), `unexpected error: ${String(error)}`).to.equal(true);
      expect(await fixture.leftovers()).to.deep.equal([]);
    });

    it('rejects a start with an aborted signal and leaves nothing behind', async () => {
      const controller = new AbortController();
      controller.abort(new Error('contract: cancelled before start'));
      const error = await rejection(fixture.provider.start(fixture.options, controller.signal));
      expect(error).to.be.instanceOf(Error);
      expect(await fixture.leftovers()).to.deep.equal([]);
    });
  });
}
