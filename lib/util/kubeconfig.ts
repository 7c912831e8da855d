// Kubernetes API clients: kubeconfig files (the sandbox serves plain HTTP on loopback, so its kubeconfigs carry no
// credentials) and the status code of a failed request.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { stringify } from 'yaml';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

export function writePlainKubeconfig(path: string, server: string, contextName: string): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: contextName, user: {} }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    'current-context': contextName,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}

/**
 * client-node 1.4 builds a new http(s).Agent for every request (KubeConfig.applySecurityAuthentication calls createAgent
 * each time), so no connection is ever reused: every request opens a TCP connection (and a TLS handshake). A kubelet's
 * client-go transport keeps one pooled connection per API server instead (k8s.io/client-go transport/cache.go: one
 * http.Transport per TLS config, shared by every client built from it). This KubeConfig does likewise: one keep-alive
 * agent for all its requests.
 */
class PooledKubeConfig extends KubeConfig {
  private agent: http.Agent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    this.agent ??= this.getCurrentCluster()?.server.startsWith('https:')
      ? new https.Agent({ keepAlive: true, rejectUnauthorized: false })
      : new http.Agent({ keepAlive: true });
    context.setAgent(this.agent);
  }

  /** Closes every pooled connection (requests on them fail); the next request opens a new one. */
  closeConnections(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

/**
 * Closes the kept-alive connections of a KubeConfig from plainKubeConfig (others keep none): client-go's
 * closeAllConns (k8s.io/client-go/util/connrotation), which the kubelet runs on repeated heartbeat failures.
 */
export function closePooledConnections(kc: KubeConfig): void {
  if (kc instanceof PooledKubeConfig) kc.closeConnections();
}

/**
 * A KubeConfig for a server without credentials (the sandbox's API servers, no certificate verification), built in
 * memory; its requests share kept-alive connections.
 */
export function plainKubeConfig(server: string): KubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server, skipTLSVerify: true }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'anonymous' }],
    currentContext: 'sandbox',
  });
  return kc;
}

export function loadKubeConfig(path: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** The HTTP status of a failed client-node request (its ApiException's code), or undefined for other errors. */
export function statusCodeOf(error: unknown): number | undefined {
  return apiAnswerIn(error)?.code;
}

/** The answer of a failed request (an error with a numeric HTTP `code`): the error itself, or one of its causes. */
function apiAnswerIn(error: unknown): { readonly error: object; readonly code: number } | undefined {
  // An error wrapped with its cause (a harness error naming what it did) keeps the answer it wraps.
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return { error: e, code };
  }
  return undefined;
}

/**
 * One line for a failed client-node request: `HTTP 503: <the Status's message>` (its ApiException's message spans
 * four lines: code, "Unknown API Status Code!", the body and the headers). An error wrapping one (a harness error
 * naming what it did) keeps its own words, with the answer's line in place of the answer's message. Other errors:
 * their message.
 */
export function apiErrorMessage(error: unknown): string {
  const own = error instanceof Error ? error.message : String(error);
  const answer = apiAnswerIn(error);
  if (answer === undefined) return own;
  let body = (answer.error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      // not JSON: shown as it is
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  const text = typeof message === 'string' ? message : typeof body === 'string' ? body : JSON.stringify(body);
  const line = `HTTP ${answer.code}: ${(text ?? '').replace(/\s+/g, ' ').slice(0, 500)}`;
  if (answer.error === error) return line;
  const inner = answer.error instanceof Error ? answer.error.message : '';
  return inner !== '' && own.includes(inner) ? own.replace(inner, line) : `${own}: ${line}`;
}
