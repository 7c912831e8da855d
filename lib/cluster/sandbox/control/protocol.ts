// The sandbox's control channel: `cpchaos sandbox up` serves it on a unix socket in its run folder, and
// `cpchaos sandbox fault|undo|etcd` (another process, e.g. an existing-cluster command executor) talks to it.
// Faults are held by the serving process under a key (kind + nodes + peer), so the undo command of a fault,
// run later by another process, finds the very fault it undoes.
import { formatPort } from '../../../faults/ports.ts';
import type { FaultRequest } from '../../../faults/catalogue.ts';
import { join } from 'node:path';

export const CONTROL_SOCKET = 'control.sock';

export function controlSocketPath(runDir: string): string {
  return join(runDir, CONTROL_SOCKET);
}

/** What a `fault` or `undo` command asks for. */
export interface ControlFault {
  readonly request: FaultRequest;
}

/** The key a fault is held under: the same request gives the same key. */
export function faultKey(request: FaultRequest): string {
  // A cut limited to ports is another fault than the same cut of everything: each undo finds its own.
  const ports = 'ports' in request && request.ports ? `@${request.ports.map(formatPort).sort().join(',')}` : '';
  switch (request.kind) {
    case 'heal':
      return 'heal';
    case 'partition':
      return `partition:${request.groups.map((g) => [...g].sort().join(',')).join('|')}${ports}`;
    case 'drop':
      return `drop:${[...request.from].sort().join(',')}>${[...request.to].sort().join(',')}${ports}`;
    case 'isolate':
      return `isolate:${[...request.nodes].sort().join(',')}${ports}`;
    default:
      return `${request.kind}:${[...request.nodes].sort().join(',')}`;
  }
}

export interface ControlReply {
  readonly ok: boolean;
  readonly message: string;
}
