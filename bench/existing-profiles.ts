// Benchmark: the smoke scenarios on the existing provider attached to a running sandbox, as
// lib/run/targets/existing-e2e.test.ts runs them, on the plain sandbox (fixtures/existing/sandbox.yaml, --profile
// auto) and on the Harvester profile (RKE2's etcd timers, kube-vip's VIP with Harvester's 15 s lease:
// fixtures/existing/sandbox-harvester.yaml, --profile harvester-1.6), one scenario after the other, alternating the
// profiles so that a busy machine slows both alike. Prints, per scenario and profile, the sandbox's start, the run
// and the stop, the verdicts, and quorum-survives' summary (the longest write outage through the VIP).
// Run as root from the checkout: node --import tsx bench/existing-profiles.ts [rounds]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../lib/scenario/loader.ts';
import { runScenario } from '../lib/run/runner.ts';
import { randomSeed } from '../lib/scenario/random.ts';
import type { ProfileChoice } from '../lib/harvester/profiles.ts';
import type { SandboxProfileName } from '../lib/sandbox/profile.ts';
import { attachedTarget, startAttachableSandbox } from '../lib/run/targets/testing/attached-sandbox.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SMOKE = [
  'promotion/delete-cp-promotes-worker',
  'promotion/kill-cp-no-promotion',
  'quorum/isolate-control-plane',
  'quorum/kill-etcd-leader',
  'quorum/majority-down',
];
const PROFILES: readonly { sandbox: SandboxProfileName; executors: string; profile: ProfileChoice }[] = [
  { sandbox: 'plain', executors: `${ROOT}fixtures/existing/sandbox.yaml`, profile: 'auto' },
  { sandbox: 'harvester', executors: `${ROOT}fixtures/existing/sandbox-harvester.yaml`, profile: 'harvester-1.6' },
];
const rounds = Number(process.argv[2] ?? 1);
const totals = new Map<string, number>();
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

for (let round = 1; round <= rounds; round++) {
  for (const name of SMOKE) {
    const file = `${ROOT}suites/${name}.yaml`;
    const scenario = parseScenario(readFileSync(file, 'utf8'), file);
    for (const p of PROFILES) {
      const t0 = Date.now();
      const attached = await startAttachableSandbox(scenario, p.sandbox);
      const t1 = Date.now();
      let line = '';
      try {
        const result = await runScenario(scenario, {
          seed: randomSeed(),
          target: attachedTarget(attached.sandbox, p.executors, { profile: p.profile }),
        });
        const verdicts = result.verdicts.map((v) => `${v.invariant}=${v.status}`).join(' ');
        const quorum = result.verdicts.find((v) => v.invariant === 'quorum-survives' || v.invariant === 'quorum-lost');
        line = `${result.status}; ${verdicts}${quorum ? `; ${quorum.invariant}: ${quorum.summary}` : ''}`;
      } finally {
        const t2 = Date.now();
        await attached.stop();
        const t3 = Date.now();
        totals.set(p.sandbox, (totals.get(p.sandbox) ?? 0) + (t3 - t0));
        console.log(
          `round ${round} ${name} [${p.sandbox}]: start ${seconds(t1 - t0)}, run ${seconds(t2 - t1)}, stop ${seconds(t3 - t2)}, ` +
            `total ${seconds(t3 - t0)}: ${line}`,
        );
      }
    }
  }
}
for (const [profile, ms] of totals) console.log(`total [${profile}]: ${seconds(ms)} over ${rounds} round(s)`);
