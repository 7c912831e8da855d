// The scenario catalogue as mocha tests: each scenario a `describe`, each invariant an `it`, through the same
// scheduler and event stream the CLI uses. CPCHAOS_TAGS (comma-separated, default "smoke") picks the scenarios;
// CPCHAOS_PROGRESS=1 prints each run's live progress (the CLI's terminal reporter) to stderr.
import type { ScenarioResult } from '../lib/report/result.ts';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../lib/scenario/loader.ts';
import { TerminalReporter } from '../lib/cli/terminal-reporter.ts';
import type { Reporter } from '../lib/run/events.ts';
import { runSuite } from '../lib/run/scheduler.ts';
import { isContendedVerdict } from '../lib/oracles/quorum-survives.ts';
import type { Scenario } from '../lib/scenario/types.ts';

const SUITES = fileURLToPath(new URL('.', import.meta.url));
const tags = (process.env['CPCHAOS_TAGS'] ?? 'smoke')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const isRoot = process.getuid?.() === 0;
const showProgress = process.env['CPCHAOS_PROGRESS'] === '1';

/** Mocha collects specs synchronously, so the catalogue is read synchronously here. */
function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return scenarioFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

const scenarios: Scenario[] = scenarioFiles(SUITES)
  .map((file) => parseScenario(readFileSync(file, 'utf8'), file))
  .filter((scenario) => scenario.tags.some((tag) => tags.includes(tag)));

describe(`scenario catalogue on the sandbox (tags: ${tags.join(', ')})`, function () {
  this.timeout(300_000);
  for (const scenario of scenarios) {
    describe(scenario.name, () => {
      let result: ScenarioResult | undefined;
      before(async function () {
        if (!isRoot) this.skip();
        const suite = this.test?.parent;
        // The seed replays this run's random choices: cpchaos run <file> --seed <seed>
        const titles: Reporter = {
          onEvent: (event) => {
            if (event.type === 'scenario-begin' && suite) suite.title = `${scenario.name} (seed ${event.seed})`;
          },
        };
        const reporters = [
          titles,
          ...(showProgress
            ? [
                new TerminalReporter({
                  parallel: false,
                  harnessLines: false,
                  rounds: false,
                  write: (text) => void process.stderr.write(text),
                }),
              ]
            : []),
        ];
        [result] = await runSuite([scenario], { reporters });
      });
      for (const name of [...scenario.invariants.map((i) => i.name), 'steps', 'expect']) {
        it(`${name} holds`, function () {
          const verdict = result?.verdicts.find((v) => v.invariant === name);
          const run = result?.verdicts.find((v) => v.invariant === 'run');
          expect(run, run?.summary).to.equal(undefined);
          expect(verdict, `no verdict for ${name}`).to.not.equal(undefined);
          // A write outage over its budget that this machine's CPU contention could explain (quorum-survives, Linux
          // PSI) is not judged: a loaded machine cannot keep a budget of a few seconds. Not a pass, so skipped.
          if (verdict !== undefined && isContendedVerdict(verdict)) this.skip();
          expect(verdict?.status, verdict?.summary).to.equal('pass');
        });
      }
    });
  }
});
