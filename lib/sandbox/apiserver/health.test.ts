import { expect } from 'chai';
import { EtcdHealthCheck } from './health.ts';

describe('the API server etcd health check (rate-limited as kube-apiserver does)', () => {
  function checkWith(results: (Error | undefined)[]): { health: EtcdHealthCheck; probes: () => number; clock: { ms: number } } {
    const clock = { ms: 10_000 };
    let probes = 0;
    const health = new EtcdHealthCheck(
      async () => {
        const result = results[probes++];
        if (result) throw result;
      },
      2000,
      undefined,
      () => clock.ms,
    );
    return { health, probes: () => probes, clock };
  }

  it('reads etcd at most once per half the timeout; checks in between get the last result', async () => {
    const { health, probes, clock } = checkWith([undefined, new Error('no leader'), undefined]);
    expect(await health.check()).to.equal(undefined);
    clock.ms += 999;
    expect(await health.check()).to.equal(undefined);
    expect(probes()).to.equal(1);
    clock.ms += 1;
    const failed = await health.check();
    expect(failed?.message).to.equal('error getting data from etcd: no leader');
    expect(probes()).to.equal(2);
    clock.ms += 500;
    expect((await health.check())?.message, 'the last probe failed').to.include('no leader');
    clock.ms += 500;
    expect(await health.check(), 'a new probe passes again').to.equal(undefined);
    expect(probes()).to.equal(3);
  });

  it('gives each probe its own deadline, not the request context', async () => {
    let signal: AbortSignal | undefined;
    const health = new EtcdHealthCheck(async (s) => {
      signal = s;
      await new Promise((_, reject) => s.addEventListener('abort', () => reject(new Error('deadline exceeded'))));
    }, 50);
    const failed = await health.check();
    expect(signal?.aborted).to.equal(true);
    expect(failed?.message).to.include('deadline exceeded');
  });
});
