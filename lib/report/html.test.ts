import type { ScenarioResult } from './result.ts';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { renderHtmlReport } from './html.ts';
import { PLANTED_SECRETS, sampleResult } from './testing/sample-run.ts';
import { parseXml, type XmlElement } from './xml-parse.ts';
import { CHROMIUM, chromiumArgs } from './testing/chromium.ts';

const OUTPUT_DIR = fileURLToPath(new URL('../../reports/test-output/', import.meta.url));
const run = promisify(execFile);

function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

function withAttr(root: XmlElement, name: string, value?: string): XmlElement[] {
  return findAll(root, (e) => (value === undefined ? e.attributes[name] !== undefined : e.attributes[name] === value));
}

function lane(svg: XmlElement, id: string): XmlElement {
  const found = withAttr(svg, 'data-lane', id);
  expect(found, `lane ${id}`).to.have.length(1);
  return found[0] as XmlElement;
}

function allText(e: XmlElement): string {
  return e.text + e.children.map(allText).join('');
}

/** The timeline SVGs of a page, parsed as strict XML (the renderer writes them well-formed). */
function timelines(html: string): XmlElement[] {
  return [...html.matchAll(/<svg class="timeline"[\s\S]*?<\/svg>/g)].map((m) => parseXml(m[0]));
}

describe('renderHtmlReport', () => {
  const result = sampleResult();
  const html = renderHtmlReport([result]);
  const [svg] = timelines(html);
  if (svg === undefined) throw new Error('no timeline svg');

  it('is one self-contained page: inline style and script, nothing fetched', () => {
    expect(html).to.match(/^<!doctype html>\n<html lang="en"/);
    expect(html).to.contain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).to.match(/<style>[\s\S]+<\/style>/);
    expect(html).to.match(/<script>[\s\S]+<\/script>/);
    expect(html).not.to.match(/\b(?:src|href)="(?!#)/);
    expect(html).not.to.match(/https?:\/\//);
    expect(html).not.to.match(/@import|@font-face|<link\b|url\((?!#)/);
  });

  it('summarizes the run and lists the verdicts', () => {
    expect(html).to.match(
      /<section id="summary" data-testid="run-summary">[\s\S]*<tr data-scenario="kill-cp-then-promote"><td><a href="#s1-kill-cp-then-promote">kill-cp-then-promote<\/a><\/td><td><span class="badge fail" data-status="fail">fail<\/span><\/td><td><code>1a2b3c<\/code><\/td><td><code>run-7f3a<\/code><\/td><td>54.0s<\/td><td>1 fail · 1 inconclusive · 2 pass<\/td><\/tr>/,
    );
    const rows = [...html.matchAll(/<tr class="verdict-(\w+)" data-invariant="([\w-]+)"/g)].map((m) => [m[2], m[1]]);
    expect(rows).to.deep.equal([
      ['quorum-survives', 'fail'],
      ['promotion-after-deletion', 'pass'],
      ['quorum-lost', 'inconclusive'],
      ['steps', 'pass'],
    ]);
    expect(html).to.contain('No write through the VIP was acknowledged for 4.22s while only cp-0 was down (budget 3s).');
    expect(html).to.contain('<a href="#s1-kill-cp-then-promote-ev-22">#22</a>');
  });

  it('lists the figures that apply, with their units, between the verdicts and the timeline', () => {
    const table = html.match(/<h3>Figures<\/h3>\n(<table class="figures" data-testid="figures">[\s\S]*?<\/table>)/)?.[1];
    if (table === undefined) throw new Error('no figures table');
    const rows = [
      ...table.matchAll(
        /<tr data-metric="(\w+)" data-value="([\d.]+)" title="[^"]+"><td><code>\w+<\/code><\/td><td class="num">(.*?)<\/td>/g,
      ),
    ];
    expect(rows.map((m) => [m[1], m[2], m[3]])).to.deep.equal([
      ['writeOutageCount', '2', '2'],
      ['longestWriteOutageMs', '4220', '4220 ms <span class="muted">(4.2s)</span>'],
      ['totalWriteOutageMs', '5540', '5540 ms <span class="muted">(5.5s)</span>'],
      ['promotionLatencyMs', '19000', '19000 ms <span class="muted">(19.0s)</span>'],
      ['etcdLeaderChanges', '1', '1'],
      ['longestElectionMs', '0', '0 ms'],
      ['recorderGapCount', '1', '1'],
      ['longestRecorderGapMs', '1200', '1200 ms <span class="muted">(1.2s)</span>'],
    ]);
    expect(html.indexOf('<h3>Figures</h3>')).to.be.within(html.indexOf('data-testid="verdicts"'), html.indexOf('<h3>Timeline'));
    const bare = renderHtmlReport([{ ...result, history: [] }]);
    expect(bare).to.contain('data-testid="figures-none"');
    expect(bare).not.to.contain('data-testid="figures"');
  });

  it('has a lane per node, and lanes for the API, the etcd leader, faults, steps and violations', () => {
    const lanes = withAttr(svg, 'data-lane').map((e) => e.attributes['data-lane']);
    expect(lanes).to.deep.equal([
      'violations',
      'steps',
      'faults',
      'api',
      'etcd-leader',
      'node:cp-0',
      'node:cp-1',
      'node:cp-2',
      'node:worker-0',
    ]);
    const labels = (id: string): string[] =>
      findAll(lane(svg, id), (e) => /^lane-(sub)?label$/.test(e.attributes['class'] ?? '')).map((e) => e.text);
    expect(labels('node:cp-0')).to.deep.equal(['cp-0', 'control-plane']);
    expect(labels('node:worker-0')).to.deep.equal(['worker-0', 'worker']);
    expect(labels('api')).to.deep.equal(['API (VIP)', 'ok / failed, outages > 1s']);
  });

  it('draws Ready, role, promote-status, cordon and deletion on the node lanes', () => {
    const values = (id: string, attr: string): string[] => withAttr(lane(svg, id), attr).map((e) => e.attributes[attr] as string);
    expect(values('node:cp-0', 'data-ready')).to.deep.equal(['True', 'Unknown']);
    expect(values('node:cp-0', 'data-deleted')).to.deep.equal(['cp-0']);
    expect(values('node:worker-0', 'data-role')).to.deep.equal(['worker', 'management']);
    expect(values('node:worker-0', 'data-promote')).to.deep.equal(['running', 'complete']);
    expect(values('node:cp-2', 'data-cordon')).to.deep.equal(['true']);
    expect(values('node:cp-1', 'data-cordon')).to.deep.equal([]);
  });

  it('draws the kill as a band across the lanes, hatched on cp-0, labelled in the faults lane', () => {
    const [band] = findAll(svg, (e) => e.attributes['class'] === 'fault-band');
    expect(band?.attributes).to.include({ 'data-fault': 'kill', 'data-fault-id': 'a1' });
    expect(withAttr(band as XmlElement, 'data-fault-node').map((e) => e.attributes['data-fault-node'])).to.deep.equal(['cp-0']);
    const label = withAttr(lane(svg, 'faults'), 'data-fault', 'kill');
    expect(label).to.have.length(1);
    expect(allText(label[0] as XmlElement)).to.contain('kill cp-0');
    expect(withAttr(lane(svg, 'faults'), 'data-mark').map((e) => e.attributes['data-mark'])).to.deep.equal([
      'delete-node',
      'cordon',
      'uncordon',
    ]);
  });

  it('draws the API strip with ok and failed ticks and the outages with their length', () => {
    const api = lane(svg, 'api');
    const outages = withAttr(api, 'data-outage-ms');
    const label = (e: XmlElement): string | undefined => findAll(e, (c) => c.attributes['class'] === 'outage-label')[0]?.text;
    expect(outages.map((e) => [e.attributes['data-outage-ms'], label(e)])).to.deep.equal([
      ['4220', '4.22s'],
      ['1320', '1.32s'],
    ]);
    expect(findAll(api, (e) => e.attributes['class'] === 'api-ok')).to.have.length(1);
    expect(findAll(api, (e) => e.attributes['class'] === 'api-bad')).to.have.length(1);
  });

  it('draws the etcd leader lane', () => {
    expect(withAttr(lane(svg, 'etcd-leader'), 'data-leader').map((e) => e.attributes['data-leader'])).to.deep.equal(['cp-0', 'cp-1']);
  });

  it('marks the violating events on their lanes and lists them below', () => {
    const markers = findAll(svg, (e) => e.attributes['class'] === 'violation');
    expect(markers.map((m) => [m.attributes['data-seq'], m.attributes['data-lane-target']])).to.deep.equal([
      ['19', 'api'],
      ['22', 'faults'],
      ['28', 'etcd-leader'],
      ['34', 'api'],
    ]);
    const items = [
      ...html.matchAll(
        /<li id="[^"]+" data-violation-item="(\d+)" data-seq="(\d+)"[^>]*><span class="vnum">\d+<\/span><code>([^<]*)<\/code><span class="vinv">([^<]*)<\/span><\/li>/g,
      ),
    ];
    expect(items.map((m) => [m[1], m[2], m[3], m[4]])).to.deep.equal([
      ['1', '19', '#19 +4.14s op vip#7 ok write 7', 'quorum-survives'],
      ['2', '22', '#22 +5.00s action a1 applied kill cp-0', 'quorum-survives'],
      ['3', '28', '#28 +6.80s etcd leader=cp-1 members=cp-0,cp-1,cp-2', 'quorum-survives'],
      ['4', '34', '#34 +8.36s op vip#12 ok write 12', 'quorum-survives'],
    ]);
  });

  it('has an axis of seconds from run start', () => {
    const ticks = findAll(svg, (e) => e.attributes['class'] === 'tick').map((e) => e.text);
    expect(ticks.slice(0, 12)).to.deep.equal(['0s', '5s', '10s', '15s', '20s', '25s', '30s', '35s', '40s', '45s', '50s', '0s']);
  });

  it('escapes, redacts, and keeps ids unique across scenarios', () => {
    const other: ScenarioResult = { ...sampleResult(), scenario: { ...sampleResult().scenario, name: '<script>alert(1)</script>' } };
    const page = renderHtmlReport([result, other]);
    expect(page).not.to.contain('<script>alert(1)');
    expect(page).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const secret of Object.values(PLANTED_SECRETS)) expect(page).not.to.contain(secret);
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(timelines(page)).to.have.length(2);
  });

  describe('in headless Chromium', function () {
    this.timeout(120_000);
    let userDataDir: string;
    const page = join(OUTPUT_DIR, 'html-report.html');

    before(async function () {
      if (!existsSync(CHROMIUM)) this.skip();
      await mkdir(OUTPUT_DIR, { recursive: true });
      await writeFile(page, html, 'utf8');
      userDataDir = await mkdtemp(join(tmpdir(), 'cpchaos-chromium-'));
    });

    after(async () => {
      if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
    });

    it('renders, runs its script, and shows every lane, the fault band, the API strip and the violation', async () => {
      const { stdout } = await run(CHROMIUM, [...chromiumArgs(userDataDir), '--dump-dom', `file://${page}`], {
        maxBuffer: 32 * 1024 * 1024,
        timeout: 90_000,
      });
      expect(stdout).to.match(/<html lang="en" data-script="ready">/);
      for (const id of ['node:cp-0', 'node:cp-1', 'node:cp-2', 'node:worker-0', 'api', 'etcd-leader', 'faults', 'steps'])
        expect(stdout).to.contain(`data-lane="${id}"`);
      expect(stdout).to.match(/<g class="fault-band" data-fault="kill" data-fault-id="a1">/);
      expect(stdout).to.match(/data-outage-ms="4220"/);
      expect(stdout).to.contain('#22 +5.00s action a1 applied kill cp-0');
      // The figures table, one row per metric that applies.
      expect(stdout).to.contain('<table class="figures" data-testid="figures">');
      expect(stdout.match(/<tr data-metric="\w+"/g)).to.have.length(8);
      expect(stdout).to.match(
        /<tr data-metric="longestWriteOutageMs" data-value="4220" title="The longest write outage[^"]*"><td><code>longestWriteOutageMs<\/code><\/td><td class="num">4220 ms /,
      );
      // The script linked each listed violation to its marker and wrote the local start time.
      expect(stdout.match(/data-linked="true"/g)).to.have.length(4);
      expect(stdout).to.match(/data-epoch-ms="\d+">[^<]+ \(local\)</);
    });

    it('keeps a screenshot in reports/test-output/html-report.png', async () => {
      const png = join(OUTPUT_DIR, 'html-report.png');
      await rm(png, { force: true });
      await run(CHROMIUM, [...chromiumArgs(userDataDir), `--screenshot=${png}`, '--window-size=1400,1000', `file://${page}`], {
        timeout: 90_000,
      });
      expect((await stat(png)).size).to.be.greaterThan(20_000);
      expect((await readFile(png)).subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    });
  });
});
