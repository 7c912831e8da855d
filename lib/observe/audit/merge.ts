// Merges the audit events of several files (one per API server, or rotated files of one) into one stream: each
// request once (by auditID), in time order. A request's stages are separate events with the same auditID
// (kubernetes apiserver pkg/endpoints/filters/audit.go emits RequestReceived, then ResponseStarted for long-running
// requests, then ResponseComplete or Panic); the furthest stage is kept, since it carries the outcome
// (responseStatus) and, at RequestResponse level, the object as stored. The same event read twice (a file given
// twice, rotated copies that overlap, a shipper's duplicate) collapses the same way.
import { AUDIT_STAGES } from './audit-event.ts';
import type { AuditEvent, SourcedAuditEvent } from './audit-event.ts';

function stageRank(event: AuditEvent): number {
  return AUDIT_STAGES.indexOf(event.stage);
}

/** Time order of the kept events: stageTimestamp, then requestReceivedTimestamp, then file and line. */
export function compareAuditEvents(a: SourcedAuditEvent, b: SourcedAuditEvent): number {
  return (
    a.event.stageMs - b.event.stageMs ||
    a.event.receivedMs - b.event.receivedMs ||
    (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0) ||
    a.source.line - b.source.line
  );
}

export interface MergedAuditLog {
  readonly events: SourcedAuditEvent[];
  /** Events dropped as an earlier stage or a copy of a kept one. */
  readonly duplicates: number;
}

export function mergeAuditEvents(files: readonly (readonly SourcedAuditEvent[])[]): MergedAuditLog {
  const byId = new Map<string, SourcedAuditEvent>();
  let duplicates = 0;
  for (const events of files) {
    for (const candidate of events) {
      const kept = byId.get(candidate.event.auditID);
      if (kept === undefined) {
        byId.set(candidate.event.auditID, candidate);
        continue;
      }
      duplicates += 1;
      if (stageRank(candidate.event) > stageRank(kept.event)) byId.set(candidate.event.auditID, candidate);
    }
  }
  return { events: [...byId.values()].sort(compareAuditEvents), duplicates };
}
