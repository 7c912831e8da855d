// Which kubeconfig an existing-cluster run attaches through: an explicit path, else $KUBECONFIG (a list of files,
// merged the way kubectl merges them), else ~/.kube/config; and which context: the one given, else the current one.
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { errorMessage, SetupError } from '../../util/errors.ts';

export interface KubeconfigSource {
  readonly kubeConfig: KubeConfig;
  /** The context used (given, or the file's current context). */
  readonly context: string;
  /** The files read, in order. */
  readonly files: readonly string[];
  readonly server: string;
  /** True when the files alone do not pin the context (a context was given, or several files were merged). */
  readonly needsCopy: boolean;
}

/** The kubeconfig files to read: explicit path, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): { files: string[]; from: string } {
  if (explicit) return { files: [resolve(explicit)], from: '--kubeconfig' };
  const list = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (list.length > 0) return { files: list.map((f) => resolve(f)), from: 'KUBECONFIG' };
  return { files: [join(env['HOME'] ?? homedir(), '.kube', 'config')], from: 'the default location' };
}

export function loadKubeconfigSource(options: {
  readonly kubeconfigPath?: string | undefined;
  readonly context?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}): KubeconfigSource {
  const { files, from } = kubeconfigFiles(options.kubeconfigPath, options.env ?? process.env);
  const kc = new KubeConfig();
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    throw new SetupError(
      `no kubeconfig to attach through: ${files.join(', ')} (from ${from}) does not exist; pass --kubeconfig or set KUBECONFIG`,
    );
  }
  try {
    kc.loadFromFile(present[0] as string);
    for (const file of present.slice(1)) {
      const other = new KubeConfig();
      other.loadFromFile(file);
      // As kubectl: the first file that sets a current context wins.
      kc.mergeConfig(other, Boolean(kc.getCurrentContext()));
    }
  } catch (error) {
    throw new SetupError(`cannot read kubeconfig ${present.join(', ')}: ${errorMessage(error)}`, { cause: error });
  }
  const context = options.context ?? kc.getCurrentContext();
  if (!context) throw new SetupError(`kubeconfig ${present.join(', ')} has no current context: pass --context`);
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new SetupError(
      `kubeconfig ${present.join(', ')} has no context "${context}" (contexts: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  kc.setCurrentContext(context);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new SetupError(`context "${context}" in ${present.join(', ')} names no cluster with a server`);
  return { kubeConfig: kc, context, files: present, server, needsCopy: options.context !== undefined || present.length > 1 };
}

function clean(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null && v !== false));
}

function clusterEntry(c: Cluster): Record<string, unknown> {
  return {
    name: c.name,
    cluster: clean({
      server: c.server,
      'certificate-authority-data': c.caData,
      'certificate-authority': c.caFile,
      'insecure-skip-tls-verify': c.skipTLSVerify,
      'tls-server-name': c.tlsServerName,
      'proxy-url': c.proxyUrl,
    }),
  };
}

function userEntry(u: User): Record<string, unknown> {
  return {
    name: u.name,
    user: clean({
      'client-certificate-data': u.certData,
      'client-certificate': u.certFile,
      'client-key-data': u.keyData,
      'client-key': u.keyFile,
      token: u.token,
      username: u.username,
      password: u.password,
      as: u.impersonateUser,
      exec: u.exec,
      'auth-provider': u.authProvider,
    }),
  };
}

function contextEntry(c: Context): Record<string, unknown> {
  return { name: c.name, context: clean({ cluster: c.cluster, user: c.user, namespace: c.namespace }) };
}

/** Writes a kubeconfig holding only the current context (its cluster and user), readable by the owner only. */
export function writeSingleContextKubeconfig(kc: KubeConfig, path: string): void {
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) throw new Error(`context "${kc.getCurrentContext()}" is incomplete`);
  const user = kc.getCurrentUser();
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [clusterEntry(cluster)],
    users: user ? [userEntry(user)] : [],
    contexts: [contextEntry(context)],
    'current-context': context.name,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
