// Literal lists shared by the history types and the validator (kept apart so neither imports the other's values).

export const ACTION_PHASES = ['intent', 'applied', 'failed', 'undone', 'unsupported'] as const;

export const GAP_SOURCES = ['nodes', 'jobs', 'events', 'leases', 'etcd', 'sampler'] as const;
