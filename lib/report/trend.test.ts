import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { summaryOf } from './compare.testing.ts';
import { renderTrendHtml } from './trend-html.ts';
import { buildTrend, type Trend } from './trend.ts';
import { parseXml, type XmlElement } from './xml-parse.ts';
import { CHROMIUM, chromiumArgs } from './testing/chromium.ts';

const OUTPUT_DIR = fileURLToPath(new URL('../../reports/test-output/', import.meta.url));
const run = promisify(execFile);

const at = (day: number, hour = 2): string => new Date(Date.UTC(2026, 11, day, hour)).toISOString();

/** Three nightlies handed over out of order; the second ran `kill` three times; one summary has no scenarios. */
function nightlies() {
  return [
    summaryOf('n3.json', [
      {
        name: 'kill',
        startedAt: at(3),
        verdicts: { quorum: 'pass', steps: 'pass' },
        metrics: { longestWriteOutageMs: 900, etcdLeaderChanges: 1 },
      },
    ]),
    summaryOf('empty.json', []),
    summaryOf('n1.json', [
      {
        name: 'kill',
        startedAt: at(1),
        verdicts: { quorum: 'pass', steps: 'pass' },
        metrics: { longestWriteOutageMs: 1200, etcdLeaderChanges: 1 },
      },
      { name: 'promote', startedAt: at(1, 3), verdicts: { promotion: 'pass' }, metrics: { promotionLatencyMs: 41_000 } },
    ]),
    summaryOf('n2.json', [
      {
        name: 'kill',
        startedAt: at(2),
        status: 'fail',
        verdicts: { quorum: 'fail', steps: 'pass' },
        metrics: { longestWriteOutageMs: 4000 },
      },
      { name: 'kill', startedAt: at(2, 3), verdicts: { quorum: 'pass', steps: 'pass' }, metrics: { longestWriteOutageMs: 1500 } },
      { name: 'kill', startedAt: at(2, 4), verdicts: { quorum: 'pass', steps: 'pass' }, metrics: { longestWriteOutageMs: 1400 } },
    ]),
  ];
}

function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The chart of `id` in a page, parsed as strict XML (the renderer writes SVG well-formed). */
function chart(html: string, id: string): XmlElement {
  const match = new RegExp(`<svg class="trend-chart [^"]*" id="${id}"[\\s\\S]*?</svg>`).exec(html);
  if (match === null) throw new Error(`no chart ${id}`);
  return parseXml(match[0]);
}

const points = (svg: XmlElement): XmlElement[] => findAll(svg, (e) => e.name === 'circle' && e.attributes['class'] === 'point');
const attr = (name: string) => (e: XmlElement) => e.attributes[name];

describe('trend', () => {
  const trend: Trend = buildTrend(nightlies());
  const html = renderTrendHtml(trend);

  it('orders the runs by their earliest scenario start and leaves out a run without scenarios', () => {
    expect(trend.runs.map((r) => [r.index, r.file, new Date(r.startedAtMs).toISOString()])).to.deep.equal([
      [0, 'n1.json', at(1)],
      [1, 'n2.json', at(2)],
      [2, 'n3.json', at(3)],
    ]);
    expect(trend.leftOut).to.deep.equal(['empty.json']);
    expect(trend.scenarios.map((s) => s.name)).to.deep.equal(['kill', 'promote']);
  });

  it('gives one point per run: the median (and max) of repeated runs, the share of passing verdicts', () => {
    const [kill, promote] = trend.scenarios;
    const outage = kill?.metrics.find((m) => m.name === 'longestWriteOutageMs');
    expect(outage?.points.map((p) => [p.run, p.value, p.max, p.runs])).to.deep.equal([
      [0, 1200, 1200, 1],
      [1, 1500, 4000, 3],
      [2, 900, 900, 1],
    ]);
    expect(kill?.metrics.find((m) => m.name === 'etcdLeaderChanges')?.points.map((p) => p.run)).to.deep.equal([0, 2]);
    const quorum = kill?.passRates.find((s) => s.name === 'quorum');
    expect(quorum?.points.map((p) => [p.run, Math.round(p.value * 1000) / 1000])).to.deep.equal([
      [0, 1],
      [1, 0.667],
      [2, 1],
    ]);
    expect(promote?.passRates[0]?.points.map((p) => p.run)).to.deep.equal([0]);
    expect(kill?.statuses.map((s) => [s.run, s.tally.counts])).to.deep.equal([
      [0, { pass: 1 }],
      [1, { fail: 1, pass: 2 }],
      [2, { pass: 1 }],
    ]);
  });

  it('plots each metric: x by run order, y by value from 0, a whisker up to the max, a line broken where a run has no point', () => {
    const outage = chart(html, 't1-m1');
    expect(outage.attributes).to.include({ 'aria-label': 'kill: longestWriteOutageMs per run', 'data-y-max': '5000' });
    const ps = points(outage);
    expect(ps.map(attr('data-value'))).to.deep.equal(['1200', '1500', '900']);
    expect(ps.map(attr('data-time'))).to.deep.equal([at(1), at(2), at(3)]);
    const xs = ps.map((p) => Number(p.attributes['cx']));
    const ys = ps.map((p) => Number(p.attributes['cy']));
    expect(xs[0]).to.be.below(xs[1] as number);
    expect(xs[1]).to.be.below(xs[2] as number);
    // y from 0 (at the plot bottom, 12 + 108) to 5000 (at the top, 12): 1500 -> 120 - 1500 / 5000 * 108.
    expect(ys).to.deep.equal([120 - 25.9, 120 - 32.4, 120 - 19.4].map((y) => Math.round(y * 10) / 10));
    const [whisker] = findAll(outage, (e) => e.attributes['class'] === 'whisker');
    expect(whisker?.attributes).to.include({ x1: String(xs[1]), y1: String(ys[1]), y2: '33.6' });
    const leader = chart(html, 't1-m2');
    const [line] = findAll(leader, (e) => e.attributes['class'] === 'line');
    expect(line?.attributes['d']).to.match(/^M[\d.]+ [\d.]+ M[\d.]+ [\d.]+$/);
    expect(findAll(outage, (e) => e.name === 'title').map((t) => t.text)).to.include(
      '12-02 02:00 UTC: longestWriteOutageMs 1500 ms (median of 3 runs, max 4000 ms)\nn2.json',
    );
  });

  it('plots the pass rate of each invariant from 0 to 100%, and the status of each run', () => {
    const quorum = chart(html, 't1-v1');
    expect(quorum.attributes).to.include({ 'aria-label': 'kill: pass rate of quorum per run', 'data-y-max': '1' });
    expect(points(quorum).map(attr('data-value'))).to.deep.equal(['1', '0.6667', '1']);
    expect(points(quorum).map((p) => Number(p.attributes['cy']))).to.deep.equal([12, 48, 12]);
    expect(findAll(quorum, (e) => e.attributes['class'] === 'tick').map((t) => t.text)).to.deep.equal([
      '0%',
      '50%',
      '100%',
      '12-01 02:00',
      '12-02 02:00',
      '12-03 02:00',
    ]);
    expect([...html.matchAll(/<span class="cell (\w+)" data-run="(\d)"/g)].map((m) => `${m[2]}:${m[1]}`)).to.deep.equal([
      '0:pass',
      '1:fail',
      '2:pass',
      '0:pass',
      '1:none',
      '2:none',
    ]);
  });

  it('is one self-contained page: inline style and script, nothing fetched, names escaped', () => {
    expect(html).to.contain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.to.match(/https?:\/\/|<link\b|\bsrc="|@import|url\((?!#)/);
    const page = renderTrendHtml(
      buildTrend([summaryOf('x.json', [{ name: '<b>x</b>', verdicts: { '<i>': 'pass' }, metrics: { '"m"': 1 } }])]),
    );
    expect(page).not.to.contain('<b>x</b>');
    expect(page).to.contain('&lt;b&gt;x&lt;/b&gt;');
  });

  describe('in headless Chromium', function () {
    this.timeout(120_000);
    let userDataDir: string;
    const page = join(OUTPUT_DIR, 'trend.html');
    // Added to the test copy only: writes where the browser drew each point, relative to its chart.
    const measure = `<script>
document.querySelectorAll('circle.point').forEach(function (c) {
  var r = c.getBoundingClientRect(), box = c.ownerSVGElement.getBoundingClientRect();
  c.setAttribute('data-drawn-x', String(Math.round(r.left + r.width / 2 - box.left)));
  c.setAttribute('data-drawn-y', String(Math.round(r.top + r.height / 2 - box.top)));
});
</script>`;

    before(async function () {
      if (!existsSync(CHROMIUM)) this.skip();
      await mkdir(OUTPUT_DIR, { recursive: true });
      await writeFile(page, html.replace('</body>', `${measure}\n</body>`), 'utf8');
      userDataDir = await mkdtemp(join(tmpdir(), 'cpchaos-chromium-'));
    });

    after(async () => {
      if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
    });

    it('renders, runs its script, and draws every point where its value puts it', async () => {
      const { stdout } = await run(CHROMIUM, [...chromiumArgs(userDataDir), '--dump-dom', `file://${page}`], {
        maxBuffer: 32 * 1024 * 1024,
        timeout: 90_000,
      });
      expect(stdout).to.match(/<html lang="en" data-script="ready">/);
      const drawn = (id: string): [number, number, number][] =>
        points(chart(stdout, id)).map((p) => [
          Number(p.attributes['data-value']),
          Number(p.attributes['data-drawn-x']),
          Number(p.attributes['data-drawn-y']),
        ]);
      const outage = drawn('t1-m1');
      expect(outage.map(([v]) => v)).to.deep.equal([1200, 1500, 900]);
      // Drawn at the markup's coordinates (the chart is not scaled), so left to right in run order, higher values higher up.
      expect(outage.map(([, x]) => x)).to.deep.equal([58, 232, 406]);
      expect(outage.map(([, , y]) => y)).to.deep.equal([94, 88, 101]);
      expect(drawn('t1-v1').map(([, , y]) => y)).to.deep.equal([12, 48, 12]);
      expect(drawn('t2-m1')).to.deep.equal([[41_000, 58, 31]]); // 120 - 41000 / 50000 * 108
    });
  });
});
