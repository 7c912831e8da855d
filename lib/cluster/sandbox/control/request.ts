// A FaultRequest read from JSON sent over the control socket, checked field by field.
import { FAULT_KINDS, type FaultKind, type FaultRequest } from '../../../faults/catalogue.ts';

function names(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new Error(`${field}: expected a non-empty list of node names, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

export function parseFaultRequest(value: unknown): FaultRequest {
  if (typeof value !== 'object' || value === null) throw new Error(`expected a fault request object, got ${JSON.stringify(value)}`);
  const body = value as Record<string, unknown>;
  const kind = body['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`kind: expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const fault = kind as FaultKind;
  switch (fault) {
    case 'heal':
      return { kind: fault };
    case 'partition': {
      const groups = body['groups'];
      if (!Array.isArray(groups) || groups.length < 2)
        throw new Error(`groups: expected at least two groups of node names, got ${JSON.stringify(groups)}`);
      return { kind: fault, groups: groups.map((g, i) => names(g, `groups[${i}]`)) };
    }
    case 'drop':
      return { kind: fault, from: names(body['from'], 'from'), to: names(body['to'], 'to') };
    default:
      return { kind: fault, nodes: names(body['nodes'], 'nodes') };
  }
}
