// etcd's Cluster and Maintenance messages on the protobuf wire (etcd api/etcdserverpb/rpc.proto: MemberAdd*,
// MemberRemove*, MemberPromote*, MemberList*, StatusResponse).
import { decodeHeader, decodeMember, EMPTY_HEADER, idToHex, type EtcdMember, type ResponseHeader } from './codec.ts';
import { ProtoWriter, type ProtoReader } from './protobuf.ts';

/** MemberAddRequest: peerURLs 1 (repeated), isLearner 2. */
export function encodeMemberAdd(peerUrls: readonly string[], isLearner: boolean): Buffer {
  const w = new ProtoWriter();
  for (const url of peerUrls) w.bytes(1, url);
  return w.bool(2, isLearner).finish();
}

/** MemberRemoveRequest and MemberPromoteRequest: ID 1 (uint64). */
export function encodeMemberId(decimalId: string): Buffer {
  return new ProtoWriter().uint64(1, decimalId).finish();
}

export interface MembersReply {
  readonly header: ResponseHeader;
  /** MemberAddResponse's added member (field 2); undefined in the others. */
  readonly member: EtcdMember | undefined;
  readonly members: readonly EtcdMember[];
}

/**
 * MemberAddResponse (header 1, member 2, members 3) and MemberListResponse, MemberRemoveResponse,
 * MemberPromoteResponse (header 1, members 2): `membersField` says which field holds the list.
 */
export function decodeMembers(r: ProtoReader, membersField: 2 | 3): MembersReply {
  let header = EMPTY_HEADER;
  let member: EtcdMember | undefined;
  const members: EtcdMember[] = [];
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === membersField && wire === 2) members.push(decodeMember(r.message()));
    else if (field === 2 && wire === 2) member = decodeMember(r.message());
    else r.skip(wire);
  }
  return { header, member, members };
}

export interface EtcdStatus {
  /** The answering member's id (decimal) and hex. */
  readonly memberId: string;
  readonly memberIdHex: string;
  /** Leader id (decimal), "0" when the member knows no leader. */
  readonly leader: string;
  readonly leaderHex: string;
  readonly raftTerm: number;
  readonly raftIndex: number;
  readonly revision: number;
  readonly dbSize: number;
  readonly version: string;
  readonly isLearner: boolean;
}

/** StatusResponse: header 1, version 2, dbSize 3, leader 4, raftIndex 5, raftTerm 6, isLearner 10. */
export function decodeStatus(r: ProtoReader): EtcdStatus {
  let header = EMPTY_HEADER;
  let version = '';
  let dbSize = 0;
  let leader = '0';
  let raftIndex = 0;
  let raftTerm = 0;
  let isLearner = false;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === 2 && wire === 2) version = r.string();
    else if (field === 3 && wire === 0) dbSize = r.varint();
    else if (field === 4 && wire === 0) leader = r.uint64();
    else if (field === 5 && wire === 0) raftIndex = r.varint();
    else if (field === 6 && wire === 0) raftTerm = r.varint();
    else if (field === 10 && wire === 0) isLearner = r.bool();
    else r.skip(wire);
  }
  return {
    memberId: header.memberId,
    memberIdHex: idToHex(header.memberId),
    leader,
    leaderHex: idToHex(leader),
    raftTerm,
    raftIndex,
    revision: header.revision,
    dbSize,
    version,
    isLearner,
  };
}
