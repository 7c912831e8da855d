// Measures write availability from sampler operations: the longest stretch without an acknowledged write. Shared by
// the sandbox tests and bench/write-gaps.ts.
import { SAMPLER_CONFIGMAP, WriteSampler, type SamplerOp } from '../../../observe/write-sampler.ts';
import { loadKubeConfig } from '../../../util/kubeconfig.ts';

/** A compare-and-swap sampler through the cluster's VIP every 100 ms, its operations pushed onto `ops`; started. */
export async function startVipSampler(kubeconfigPath: string, ops: SamplerOp[]): Promise<WriteSampler> {
  const kubeConfig = loadKubeConfig(kubeconfigPath);
  await WriteSampler.ensureRegister(kubeConfig, SAMPLER_CONFIGMAP);
  let opId = 0;
  const sampler = new WriteSampler({
    process: 'vip',
    target: 'vip',
    kubeConfig,
    intervalMs: 100,
    deadlineMs: 2000,
    register: { configMap: SAMPLER_CONFIGMAP },
    onOp: (op) => ops.push(op),
    nextOpId: () => ++opId,
  });
  sampler.start();
  return sampler;
}

/** Longest interval between consecutive acknowledged writes of `process` that overlaps [fromMs, toMs]. */
export function longestWriteGapMs(ops: readonly SamplerOp[], process: string, fromMs: number, toMs: number): number {
  const oks = ops.filter((op) => op.process === process && op.f === 'cas' && op.phase === 'ok').map((op) => op.t);
  let longest = 0;
  let previous = fromMs;
  for (const t of oks) {
    if (t < fromMs) continue;
    if (t > toMs) break;
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return Math.max(longest, toMs - previous);
}

export function acknowledgedWritesBetween(ops: readonly SamplerOp[], process: string, fromMs: number, toMs: number): number {
  return ops.filter((op) => op.process === process && op.f === 'cas' && op.phase === 'ok' && op.t >= fromMs && op.t <= toMs).length;
}
