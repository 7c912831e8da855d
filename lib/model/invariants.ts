// The invariants a scenario can name, one per oracle (lib/oracles registers an oracle under each of these names).

export const INVARIANT_NAMES = [
  'promotion-only-after-deletion',
  'promotion-after-deletion',
  'management-count',
  'quorum-survives',
  'quorum-lost',
  'no-lost-writes',
  'promote-status-lifecycle',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];
