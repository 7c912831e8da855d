// /healthz and /livez: the process answers. /readyz: a linearizable etcd read succeeds within the deadline
// and the default namespaces exist. Replies are Kubernetes-style text (`ok`, or `[-]check failed: reason` lines).
import { errorMessage } from '../../util/errors.ts';
import { sendText } from './http-io.ts';
import type { RequestContext } from './request-context.ts';
import type { HealthCheck } from './router.ts';

const READY_PROBE_KEY = '/registry/namespaces/default';

export async function serveHealth(ctx: RequestContext, check: HealthCheck, namespacesReady: () => boolean): Promise<void> {
  const verbose = ctx.url.searchParams.has('verbose');
  if (check !== 'readyz') {
    sendText(ctx.res, 200, verbose ? `[+]ping ok\n${check} check passed\n` : 'ok');
    return;
  }
  const lines = ['[+]ping ok'];
  let healthy = true;
  try {
    await ctx.store.etcd.range(READY_PROBE_KEY, { countOnly: true, signal: ctx.signal });
    lines.push('[+]etcd ok');
  } catch (error) {
    healthy = false;
    lines.push(`[-]etcd failed: ${errorMessage(error)}`);
  }
  if (namespacesReady()) lines.push('[+]poststarthook/bootstrap-namespaces ok');
  else {
    healthy = false;
    lines.push('[-]poststarthook/bootstrap-namespaces failed: default namespaces not created yet');
  }
  if (healthy) sendText(ctx.res, 200, verbose ? `${lines.join('\n')}\nreadyz check passed\n` : 'ok');
  else sendText(ctx.res, 500, `${lines.join('\n')}\nreadyz check failed\n`);
}
