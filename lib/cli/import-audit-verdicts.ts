// The oracles judge an imported audit log as they judge a run's history, but some need what the log may not hold:
// the Node objects (promotion and management oracles read labels, promote-status and conditions from them), and
// writes through the VIP and etcd samples (never in an audit log). A verdict reached without them would say more
// than the log does, so it is made inconclusive, keeping the oracle's own words and status in its details.
import type { AuditCoverage } from '../observe/audit/build-history.ts';
import type { Verdict } from '../oracles/verdict.ts';

/** Oracles that read Node labels, annotations or conditions. */
export const NODE_OBJECT_ORACLES: readonly string[] = [
  'promotion-only-after-deletion',
  'promotion-after-deletion',
  'management-count',
  'promote-status-lifecycle',
];

/** Oracles that read the write sampler's operations or etcd samples. */
export const SAMPLE_ORACLES: readonly string[] = ['quorum-survives', 'quorum-lost', 'no-lost-writes'];

const NO_SAMPLES = 'an audit log holds no writes through the VIP and no etcd samples';

function inconclusive(v: Verdict, why: string, coverage: AuditCoverage): Verdict {
  return {
    ...v,
    status: 'inconclusive',
    summary: `${why}; the oracle alone said: ${v.summary}`,
    details: { ...v.details, auditImport: { originalStatus: v.status, coverage } },
  };
}

export function auditVerdicts(verdicts: readonly Verdict[], coverage: AuditCoverage): Verdict[] {
  return verdicts.map((v) => {
    if (v.status === 'error') return v;
    if (NODE_OBJECT_ORACLES.includes(v.invariant) && coverage.nodeObjects === 0)
      return inconclusive(v, 'the audit log holds no Node object (Node writes not logged at RequestResponse level)', coverage);
    if (SAMPLE_ORACLES.includes(v.invariant)) {
      if (v.status === 'inconclusive') return { ...v, summary: `${v.summary} (${NO_SAMPLES})` };
      return inconclusive(v, NO_SAMPLES, coverage);
    }
    return v;
  });
}
