// /healthz, /livez and /readyz, as kube-apiserver serves them: each runs its checks and answers `ok` (200), or the
// failed checks as `[-]name failed: reason` lines (500). The etcd check (a read within the request deadline) is in
// all three: kube-apiserver adds its storage health check to healthz, livez and readyz alike
// (k8s.io/apiserver pkg/server/options/etcd.go addEtcdHealthEndpoint). Load balancers probe /healthz (kind's HAProxy:
// `option httpchk GET /healthz`), so an API server whose etcd member is gone or has no quorum drops out of rotation.
// /readyz also waits for the default namespaces (the bootstrap post-start hook).
import { errorMessage } from '../../util/errors.ts';
import { sendText } from './http-io.ts';
import type { RequestContext } from './request-context.ts';
import type { HealthCheck } from './router.ts';

/** The key kube-apiserver's check reads: path.Join("/", prefix, "health") with the default prefix /registry. */
export const ETCD_HEALTH_KEY = '/registry/health';

/**
 * kube-apiserver's etcd health check (k8s.io/apiserver pkg/storage/storagebackend/factory/etcd3.go newETCD3Check): a
 * read of the health key with its own timeout (--etcd-healthcheck-timeout, 2 s), at most one per half of that timeout
 * (rate.NewLimiter(rate.Every(timeout/2), 1)); a check the limiter refuses answers with the result of the last probe
 * (its error, or none), without touching etcd. Load balancers probing every 200 ms cost etcd one read a second.
 */
export class EtcdHealthCheck {
  private nextProbeMs = 0;
  private lastError: Error | undefined = new Error('etcd client connection not yet established');

  constructor(
    private readonly probe: (signal: AbortSignal) => Promise<unknown>,
    private readonly timeoutMs: number,
    /** The limiter's interval: kube-apiserver's is half the timeout. */
    private readonly intervalMs: number = timeoutMs / 2,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Resolves with the failure of the etcd check, or undefined when it passes. */
  async check(): Promise<Error | undefined> {
    const now = this.nowMs();
    if (now < this.nextProbeMs) return this.lastError;
    this.nextProbeMs = now + this.intervalMs;
    let error: Error | undefined;
    try {
      await this.probe(AbortSignal.timeout(this.timeoutMs));
    } catch (cause) {
      error = new Error(`error getting data from etcd: ${errorMessage(cause)}`, { cause });
    }
    this.lastError = error;
    return error;
  }
}

export async function serveHealth(
  ctx: RequestContext,
  check: HealthCheck,
  etcdHealth: EtcdHealthCheck,
  namespacesReady: () => boolean,
): Promise<void> {
  const verbose = ctx.url.searchParams.has('verbose');
  const lines = ['[+]ping ok'];
  let healthy = true;
  const etcdError = await etcdHealth.check();
  if (etcdError === undefined) lines.push('[+]etcd ok');
  else {
    healthy = false;
    lines.push(`[-]etcd failed: ${etcdError.message}`);
  }
  if (check === 'readyz') {
    if (namespacesReady()) lines.push('[+]poststarthook/bootstrap-namespaces ok');
    else {
      healthy = false;
      lines.push('[-]poststarthook/bootstrap-namespaces failed: default namespaces not created yet');
    }
  }
  if (healthy) sendText(ctx.res, 200, verbose ? `${lines.join('\n')}\n${check} check passed\n` : 'ok');
  else sendText(ctx.res, 500, `${lines.join('\n')}\n${check} check failed\n`);
}
