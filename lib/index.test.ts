// The library's export surface, as a list: adding or removing a name is a decision made here, not an accident.
import { expect } from 'chai';
import * as cpchaos from './index.ts';

describe('library export surface (lib/index.ts)', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(cpchaos).sort()).to.deep.equal([
      'ExistingClusterProvider',
      'FileProblemsError',
      'KindProvider',
      'ORACLE_NAMES',
      'SandboxProvider',
      'ScenarioError',
      'SetupError',
      'cleanupRuns',
      'existingTarget',
      'formatProblem',
      'kindTarget',
      'loadPromotionPolicy',
      'loadScenarioFile',
      'loadScenarios',
      'overallStatus',
      'parseScenario',
      'randomSeed',
      'redact',
      'renderHtmlReport',
      'renderJUnit',
      'runOracles',
      'runScenario',
      'sandboxTarget',
      'sandboxTopologyFor',
      'scenarioOutcome',
      'selectPromoteNode',
      'suiteExitCode',
      'summarizeRun',
      'writeRunReports',
    ]);
  });

  it('every export is usable: functions and classes, and the oracle names the scenarios use', () => {
    for (const [name, value] of Object.entries(cpchaos)) {
      if (name === 'ORACLE_NAMES') continue;
      expect(typeof value, name).to.equal('function');
    }
    expect(cpchaos.ORACLE_NAMES).to.include.members([
      'promotion-only-after-deletion',
      'promotion-after-deletion',
      'management-count',
      'quorum-survives',
      'no-lost-writes',
    ]);
    expect(
      cpchaos.overallStatus([
        { invariant: 'a', status: 'pass', summary: '', evidence: [] },
        { invariant: 'b', status: 'inconclusive', summary: '', evidence: [] },
      ]),
    ).to.equal('inconclusive');
  });
});
