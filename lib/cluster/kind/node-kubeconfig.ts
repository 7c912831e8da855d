// Per-node kubeconfigs: the kind kubeconfig (its CA and client certificate) with the server set to one control
// plane's own API server. kubeadm puts each control plane's address in its API server certificate, so TLS still
// verifies. Reachable where the docker network is (Linux hosts; not Docker Desktop).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export const API_SERVER_PORT = 6443;

export function nodeServerUrl(address: string): string {
  return `https://${address}:${API_SERVER_PORT}`;
}

export function writeNodeKubeconfig(sourcePath: string, targetPath: string, address: string): void {
  const doc = parse(readFileSync(sourcePath, 'utf8')) as { clusters?: { cluster?: { server?: string } }[] } | null;
  if (!doc?.clusters?.length) throw new Error(`kubeconfig ${sourcePath} has no clusters`);
  for (const entry of doc.clusters) {
    if (entry.cluster) entry.cluster.server = nodeServerUrl(address);
  }
  writeFileSync(targetPath, stringify(doc), { mode: 0o600 });
}
