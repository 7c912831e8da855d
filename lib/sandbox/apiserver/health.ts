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

const READY_PROBE_KEY = '/registry/namespaces/default';

export async function serveHealth(ctx: RequestContext, check: HealthCheck, namespacesReady: () => boolean): Promise<void> {
  const verbose = ctx.url.searchParams.has('verbose');
  const lines = ['[+]ping ok'];
  let healthy = true;
  try {
    await ctx.store.etcd.range(READY_PROBE_KEY, { countOnly: true, signal: ctx.signal });
    lines.push('[+]etcd ok');
  } catch (error) {
    healthy = false;
    lines.push(`[-]etcd failed: ${errorMessage(error)}`);
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
