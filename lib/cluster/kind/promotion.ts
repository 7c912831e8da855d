// Promotion on kind: turning a worker into a real control plane (API server, etcd member) with kubeadm.
//
// Design. kind has no Harvester, so the reference promote controller (lib/sandbox/agent/promote-controller.ts)
// runs in the harness process against the kind API: it lists Nodes and promote Jobs, asks the policy, marks the
// node running and creates its promote Job, as Harvester's controller does. kind has no promote image either, so
// the Job's work is done from the harness too, through `docker exec`, by promoteToControlPlane below:
//   1. on a surviving control plane: `kubeadm init phase upload-certs --upload-certs` (a fresh certificate key: the
//      control-plane certificates, encrypted in the kubeadm-certs Secret for two hours) and
//      `kubeadm token create --print-join-command --ttl <s>` (a short-lived bootstrap token and the CA hash).
//      Both come first, so a broken control plane fails the promotion before the worker is touched;
//   2. on the worker: `kubeadm reset -f` (stops its kubelet, removes its node state);
//   3. wait until the API shows the Node not Ready: kubeadm join refuses a node name that is still Ready;
//   4. on the worker: `kubeadm join <endpoint> --token ... --discovery-token-ca-cert-hash ... --control-plane
//      --certificate-key ... --apiserver-advertise-address <its IP>`: kubeadm adds its etcd member, starts the
//      static pods and labels and taints it as a control plane. The endpoint is kind's load balancer (kind sets
//      controlPlaneEndpoint when a cluster has several control planes: promotion needs a config with 2 or more).
//      Preflight checks are skipped as kind's own joins skip them (a container is not a host).
// Afterwards the caller puts Harvester's role labels on the node (StartedKindCluster.promoteToControlPlane).
// On a real cluster the Job controller owns promote Jobs: for kind the harness creates them suspended and records
// their outcome itself (promote-loop.ts). The live path needs Docker and has only been verified through recorded
// commands and a sandbox API server standing in for the kind API (kind-target.test.ts).
import type { DockerCli } from './docker-cli.ts';

export interface KubeadmJoin {
  /** host:port of the control-plane endpoint. */
  readonly endpoint: string;
  readonly token: string;
  readonly caCertHash: string;
}

export interface PromotionPlan {
  /** The worker to promote (container and Node name). */
  readonly node: string;
  /** Its address on the kind network (the API server advertises it). */
  readonly address: string;
  /** A running control plane to take the certificate key and join token from. */
  readonly via: string;
  /** Lifetime of the bootstrap token; default 15 min. */
  readonly tokenTtlMs?: number;
}

export interface PromotionTimeouts {
  readonly resetMs: number;
  readonly joinMs: number;
}

export const DEFAULT_PROMOTION_TIMEOUTS: PromotionTimeouts = { resetMs: 2 * 60_000, joinMs: 5 * 60_000 };
const DEFAULT_TOKEN_TTL_MS = 15 * 60_000;

export const UPLOAD_CERTS_COMMAND: readonly string[] = ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs'];
export const RESET_COMMAND: readonly string[] = ['kubeadm', 'reset', '-f'];

export function tokenCreateCommand(ttlMs: number): string[] {
  return ['kubeadm', 'token', 'create', '--print-join-command', '--ttl', `${Math.max(1, Math.ceil(ttlMs / 1000))}s`];
}

export function joinControlPlaneCommand(join: KubeadmJoin, certificateKey: string, address: string): string[] {
  return [
    'kubeadm',
    'join',
    join.endpoint,
    '--token',
    join.token,
    '--discovery-token-ca-cert-hash',
    join.caCertHash,
    '--control-plane',
    '--certificate-key',
    certificateKey,
    '--apiserver-advertise-address',
    address,
    '--ignore-preflight-errors',
    'all',
  ];
}

/** The certificate key: the last line of upload-certs' output that is 64 hex digits. */
export function parseCertificateKey(output: string): string {
  const key = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{64}$/.test(l))
    .pop();
  if (!key) throw new Error('kubeadm init phase upload-certs printed no certificate key (64 hex digits)');
  return key;
}

/** Endpoint, token and CA hash from `kubeadm token create --print-join-command`. */
export function parseJoinCommand(output: string): KubeadmJoin {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('kubeadm join '));
  const words = line?.split(/\s+/) ?? [];
  const after = (flag: string): string | undefined => {
    const i = words.indexOf(flag);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const endpoint = words[2];
  const token = after('--token');
  const caCertHash = after('--discovery-token-ca-cert-hash');
  if (!endpoint || !token || !/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(token) || !caCertHash || !/^sha256:[0-9a-f]{64}$/.test(caCertHash)) {
    throw new Error('kubeadm token create --print-join-command printed no join command with an endpoint, a token and a CA hash');
  }
  return { endpoint, token, caCertHash };
}

/**
 * Runs the promotion's commands in order; `afterReset` waits until the API no longer shows the node Ready. An
 * aborted `signal` ends the command running (execa kills it) and the promotion with the signal's reason.
 */
export async function promoteToControlPlane(
  docker: DockerCli,
  plan: PromotionPlan,
  afterReset: () => Promise<void>,
  timeouts: PromotionTimeouts = DEFAULT_PROMOTION_TIMEOUTS,
  signal?: AbortSignal,
): Promise<void> {
  const certificateKey = parseCertificateKey(
    await docker.exec(plan.via, UPLOAD_CERTS_COMMAND, {
      what: `uploading control-plane certificates on ${plan.via} for promoting ${plan.node}`,
      signal,
    }),
  );
  const join = parseJoinCommand(
    await docker.exec(plan.via, tokenCreateCommand(plan.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS), {
      what: `creating a join token on ${plan.via} for promoting ${plan.node}`,
      signal,
    }),
  );
  await docker.exec(plan.node, RESET_COMMAND, { what: `resetting ${plan.node} before its promotion`, timeoutMs: timeouts.resetMs, signal });
  await afterReset();
  await docker.exec(plan.node, joinControlPlaneCommand(join, certificateKey, plan.address), {
    what: `joining ${plan.node} as a control plane`,
    timeoutMs: timeouts.joinMs,
    signal,
  });
}
