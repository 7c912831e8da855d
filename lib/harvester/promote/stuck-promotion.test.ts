import { expect } from 'chai';
import type { V1Job } from '@kubernetes/client-node';
import { DeadlineError } from '../../util/errors.ts';
import { plainKubeConfig } from '../../util/kubeconfig.ts';
import { rejection } from '../../util/rejection.testing.ts';
import { startSilentServer } from '../../util/silent-server.testing.ts';
import { findPromoteJob, stuckPromotionFailure } from './stuck-promotion.ts';

const NOW = Date.parse('2026-09-01T12:00:00Z');

function job(status: V1Job['status'], spec: Partial<NonNullable<V1Job['spec']>> = {}): V1Job {
  return {
    metadata: { namespace: 'harvester-system', name: 'harvester-promote-hv-3' },
    spec: { backoffLimit: 2, template: {}, ...spec },
    status,
  };
}

describe('stuck promotion failure', () => {
  it('names a Job still running, with its pods, age and missing deadline', () => {
    const message = stuckPromotionFailure('hv-3', job({ active: 1, failed: 1, startTime: new Date(NOW - 16 * 60_000) }), 15 * 60_000, NOW);
    expect(message).to.equal(
      'promotion of hv-3 did not complete within 15m: Job harvester-system/harvester-promote-hv-3 is still running; ' +
        '1 active, 0 succeeded, 1 failed pods (backoffLimit 2); started 16m ago; no activeDeadlineSeconds. ' +
        'Harvester sets no deadline on promote Jobs, so it would stay running forever (harvester#2191, #8968)',
    );
  });

  it("names a failed Job's reason, a completed Job that did not promote, and a missing Job", () => {
    const failed = job({
      failed: 3,
      conditions: [
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      ],
    });
    expect(stuckPromotionFailure('hv-3', failed, 60_000, NOW)).to.contain(
      'is failed (BackoffLimitExceeded: Job has reached the specified backoff limit); 0 active, 0 succeeded, 3 failed pods',
    );
    const complete = job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });
    expect(stuckPromotionFailure('hv-3', complete, 60_000, NOW)).to.contain('is complete, but the node was not promoted');
    expect(stuckPromotionFailure('hv-3', undefined, 60_000, NOW)).to.equal(
      'promotion of hv-3 did not complete within 1m: no promote Job exists (expected harvester-system/harvester-promote-hv-3, label harvesterhci.io/promote-node=hv-3)',
    );
  });
});

describe('the promote Job of a stuck promotion, from an API server that never answers', function () {
  this.timeout(60_000);
  it('its list fails past the deadline, and its connection is closed', async () => {
    const silent = await startSilentServer();
    try {
      const error = await rejection(findPromoteJob(plainKubeConfig(silent.url), 'hv-3', 200));
      expect(error).to.be.instanceOf(DeadlineError);
      expect((error as Error).message).to.match(/timed out after 200 ms waiting for the promote Jobs of node hv-3/);
      expect(await silent.allClosed(), 'the server saw the connection closed').to.equal(true);
    } finally {
      await silent.close();
    }
  });
});
