import { expect } from 'chai';
import { CpuPressureSampler, parseCpuStallUs } from './cpu-pressure.ts';

describe('observe/cpu-pressure: the machine CPU stall (Linux PSI)', () => {
  it("reads the `some` line's total, not the `full` line's", () => {
    const text = 'some avg10=1.69 avg60=29.17 avg300=58.47 total=1547255741\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=12\n';
    expect(parseCpuStallUs(text)).to.equal(1_547_255_741);
    expect(parseCpuStallUs('full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n')).to.equal(undefined);
    expect(parseCpuStallUs('')).to.equal(undefined);
  });

  it('records a reading at start, each interval and at stop; nothing where the kernel reports none', async () => {
    const readings: number[] = [];
    let next = 100;
    const sampler = new CpuPressureSampler(
      (us) => readings.push(us),
      20,
      () => (next += 10),
    );
    sampler.start();
    await new Promise((resolve) => setTimeout(resolve, 70));
    sampler.stop();
    sampler.stop();
    expect(readings[0]).to.equal(110);
    expect(readings.length).to.be.at.least(2);
    expect(readings.at(-1)).to.equal(next);
    const none: number[] = [];
    const unsupported = new CpuPressureSampler(
      (us) => none.push(us),
      20,
      () => undefined,
    );
    unsupported.start();
    unsupported.stop();
    expect(none).to.deep.equal([]);
  });
});
