// Kubeconfig files for clients of a cluster (kubectl, client-node). The sandbox serves plain HTTP on loopback,
// so its kubeconfigs carry no credentials.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';

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

export function loadKubeConfig(path: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) kc.setCurrentContext(context);
  return kc;
}
