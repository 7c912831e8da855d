import { expect } from 'chai';
import { memoryPressureCondition, MemoryPressureMonitor, memoryThresholdOf, readMeminfo, type MemoryThreshold } from './memory-pressure.ts';
import { EVICTION_HARD_MEMORY_BYTES } from './node-resources.ts';

const config = (evictionHard: string): string =>
  ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', evictionHard].join('\n');

describe('memory pressure as the kubelet eviction manager sees it', () => {
  describe('the memory.available threshold of a KubeletConfiguration', () => {
    it('is the default 100Mi without a file or without evictionHard', () => {
      expect(memoryThresholdOf(undefined, 'k.yaml')).to.deep.equal({ bytes: EVICTION_HARD_MEMORY_BYTES });
      expect(memoryThresholdOf(config('maxPods: 110'), 'k.yaml')).to.deep.equal({ bytes: 100 * 1024 ** 2 });
    });

    it("is none when evictionHard does not name memory.available (kind's config) or names 0% or 100%", () => {
      expect(memoryThresholdOf(config('evictionHard:\n  nodefs.available: "0%"\n  imagefs.available: "0%"'), 'k.yaml')).to.equal(undefined);
      expect(memoryThresholdOf(config('evictionHard:\n  memory.available: "0%"'), 'k.yaml')).to.equal(undefined);
      expect(memoryThresholdOf(config('evictionHard:\n  memory.available: "100%"'), 'k.yaml')).to.equal(undefined);
    });

    it('reads quantities and percentages', () => {
      expect(memoryThresholdOf(config('evictionHard:\n  memory.available: 1Pi'), 'k.yaml')).to.deep.equal({ bytes: 1024 ** 5 });
      expect(memoryThresholdOf(config('evictionHard:\n  memory.available: "12.5%"'), 'k.yaml')).to.deep.equal({ fraction: 0.125 });
    });

    it('refuses a bad value, naming the file', () => {
      expect(() => memoryThresholdOf(config('evictionHard:\n  memory.available: "120%"'), '/n/kubelet.yaml')).to.throw(
        /\/n\/kubelet\.yaml: evictionHard memory\.available: a percentage from 0 to 100/,
      );
      expect(() => memoryThresholdOf(config('evictionHard:\n  memory.available: lots'), '/n/kubelet.yaml')).to.throw(
        /a quantity \(100Mi\) or a percentage was expected, not lots/,
      );
    });
  });

  it('reads MemTotal and MemAvailable from /proc/meminfo', () => {
    expect(readMeminfo('MemTotal:       24683548 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n')).to.deep.equal({
      capacityBytes: 24683548 * 1024,
      availableBytes: 20000000 * 1024,
    });
    expect(readMeminfo().capacityBytes).to.be.greaterThan(0);
  });

  it('holds the pressure for the transition period after the last observation that met the threshold; a restart forgets', () => {
    let nowMs = 0;
    let availableBytes = 50 * 1024 ** 2;
    let threshold: MemoryThreshold | undefined = { fraction: 0.01 };
    const monitor = new MemoryPressureMonitor({
      threshold: () => threshold,
      transitionMs: 1000,
      read: () => ({ capacityBytes: 10 * 1024 ** 3, availableBytes }),
      nowMs: () => nowMs,
    });
    expect(monitor.observe(), '50Mi available, threshold ~102Mi').to.equal(true);
    availableBytes = 5 * 1024 ** 3;
    nowMs = 999;
    expect(monitor.observe(), 'within the transition period').to.equal(true);
    nowMs = 1000;
    expect(monitor.observe(), 'the period has passed').to.equal(false);
    availableBytes = 1024;
    expect(monitor.observe()).to.equal(true);
    threshold = undefined;
    monitor.restart();
    expect(monitor.observe(), 'restarted without a memory threshold').to.equal(false);
  });

  it('words the condition as kubelet does and keeps its transition time while the status holds', () => {
    const t0 = new Date('2026-12-01T00:00:00Z');
    const t1 = new Date('2026-12-01T00:00:10Z');
    const first = memoryPressureCondition(true, t0, undefined);
    expect(first).to.include({ type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory' });
    expect(memoryPressureCondition(true, t1, first).lastTransitionTime).to.equal(t0);
    const relieved = memoryPressureCondition(false, t1, first);
    expect(relieved).to.include({
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    });
    expect(relieved.lastTransitionTime).to.equal(t1);
  });
});
