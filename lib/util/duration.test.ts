import { expect } from 'chai';
import { formatDuration, parseDuration } from './duration.ts';

describe('duration', () => {
  it('parses units and compounds to whole milliseconds', () => {
    const ms = (text: string) => {
      const parsed = parseDuration(text);
      return parsed.ok ? parsed.ms : parsed.message;
    };
    expect(ms('500ms')).to.equal(500);
    expect(ms('5s')).to.equal(5000);
    expect(ms('1.5s')).to.equal(1500);
    expect(ms('2m')).to.equal(120_000);
    expect(ms('1h')).to.equal(3_600_000);
    expect(ms('1m30s')).to.equal(90_000);
    expect(ms(' 4s ')).to.equal(4000);
  });

  it('explains bad durations', () => {
    const message = (text: string) => {
      const parsed = parseDuration(text);
      return parsed.ok ? '' : parsed.message;
    };
    expect(message('5 sec')).to.contain('bad duration "5 sec"').and.contain('right after the number');
    expect(message('30')).to.contain('add a unit: "30s"');
    expect(message('5d')).to.contain('bad duration "5d"; units are ms, s, m, h');
    expect(message('')).to.contain('bad duration');
  });

  it('formats milliseconds back', () => {
    expect(formatDuration(500)).to.equal('500ms');
    expect(formatDuration(1500)).to.equal('1500ms');
    expect(formatDuration(90_000)).to.equal('1m30s');
    expect(formatDuration(3_600_000)).to.equal('1h');
  });
});
