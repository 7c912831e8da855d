import { expect } from 'chai';
import { SetupError } from '../util/errors.ts';
import {
  exceedsThreshold,
  formatThreshold,
  mergeThresholds,
  parseThresholdFlag,
  parseThresholds,
  thresholdFor,
  thresholdsFromFlags,
} from './compare-thresholds.ts';
import { ReportInputError } from './summary-read-problems.ts';

function errorOf(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('compare thresholds', () => {
  it('reads --threshold METRIC=+N and METRIC=+N% (the + optional), and merges a metric given twice', () => {
    expect(parseThresholdFlag('longestWriteOutageMs=+500')).to.deep.equal(['longestWriteOutageMs', { maxIncrease: 500 }]);
    expect(parseThresholdFlag('promotionLatencyMs=+20%')).to.deep.equal(['promotionLatencyMs', { maxIncreasePct: 20 }]);
    expect(parseThresholdFlag('*=12.5%')).to.deep.equal(['*', { maxIncreasePct: 12.5 }]);
    expect(thresholdsFromFlags(['m=+500', 'm=+20%', 'n=1', 'n=2'])).to.deep.equal({
      m: { maxIncrease: 500, maxIncreasePct: 20 },
      n: { maxIncrease: 2 },
    });
  });

  it('rejects a malformed flag, saying the form', () => {
    for (const flag of ['longestWriteOutageMs', '=+5', 'm=-5', 'm=+5ms', 'm=']) {
      const error = errorOf(() => parseThresholdFlag(flag));
      expect(error, flag).to.be.instanceOf(SetupError);
      expect(error.message).to.contain(`--threshold ${JSON.stringify(flag)}: expected METRIC=+N`);
    }
  });

  it('reads a YAML or JSON file: +N, "+N%", or the object form', () => {
    const yaml = 'longestWriteOutageMs: +500\npromotionLatencyMs: +20%\n"*": { maxIncrease: 3, maxIncreasePct: 50 }\n';
    expect(parseThresholds(yaml, 't.yaml')).to.deep.equal({
      longestWriteOutageMs: { maxIncrease: 500 },
      promotionLatencyMs: { maxIncreasePct: 20 },
      '*': { maxIncrease: 3, maxIncreasePct: 50 },
    });
    expect(parseThresholds('{"a": 1, "b": "+2%"}', 't.json')).to.deep.equal({ a: { maxIncrease: 1 }, b: { maxIncreasePct: 2 } });
    expect(parseThresholds('', 'empty.yaml')).to.deep.equal({});
  });

  it('says where a file is wrong: file, line, column, metric and the forms expected', () => {
    const error = errorOf(() => parseThresholds('a: +5\nb: lots\nc: { maxIncrease: -1 }\nd: true\ne: { maxIncreas: 5 }\n', 't.yaml'));
    expect(error).to.be.instanceOf(ReportInputError);
    expect(error.message.split('\n')).to.deep.equal([
      't.yaml:2:4: b: expected a rise such as +500 or "+20%"',
      't.yaml:3:19: c.maxIncrease: found a number (-1); expected >= 0',
      't.yaml:4:4: d: expected a rise such as +500 or "+20%", or { maxIncrease: N, maxIncreasePct: N }',
      't.yaml:5:4: e: unknown field "maxIncreas"; expected maxIncrease or maxIncreasePct',
    ]);
    expect(errorOf(() => parseThresholds('- a\n- b\n', 'list.yaml')).message).to.equal(
      'list.yaml:1:1: (root): expected an object, found an array',
    );
    expect(errorOf(() => parseThresholds('a: [1\n', 'broken.yaml')).message).to.match(/^broken\.yaml: not valid YAML or JSON: /);
  });

  it('a metric takes its own threshold, else the * one', () => {
    const t = mergeThresholds({ '*': { maxIncreasePct: 50 } }, { a: { maxIncrease: 1 } });
    expect(thresholdFor(t, 'a')).to.deep.equal({ maxIncrease: 1 });
    expect(thresholdFor(t, 'b')).to.deep.equal({ maxIncreasePct: 50 });
    expect(thresholdFor({}, 'b')).to.equal(undefined);
  });

  it('is exceeded only by a rise past every limit it sets', () => {
    expect(exceedsThreshold({ maxIncrease: 500 }, 1000, 500)).to.equal(false);
    expect(exceedsThreshold({ maxIncrease: 500 }, 1000, 501)).to.equal(true);
    expect(exceedsThreshold({ maxIncreasePct: 10 }, 1000, 100)).to.equal(false);
    expect(exceedsThreshold({ maxIncreasePct: 10 }, 1000, 101)).to.equal(true);
    expect(exceedsThreshold({ maxIncreasePct: 10 }, 0, 1)).to.equal(true);
    expect(exceedsThreshold({ maxIncrease: 0 }, 5, -3)).to.equal(false);
    expect(exceedsThreshold({ maxIncrease: 100, maxIncreasePct: 10 }, 100, 50)).to.equal(false);
    expect(exceedsThreshold({ maxIncrease: 100, maxIncreasePct: 10 }, 10_000, 500)).to.equal(false);
    expect(exceedsThreshold({ maxIncrease: 100, maxIncreasePct: 10 }, 10_000, 1001)).to.equal(true);
    expect(formatThreshold({ maxIncrease: 100, maxIncreasePct: 10 })).to.equal('+100 and +10%');
  });
});
