// The protobuf wire format, as much of it as etcd's v3 messages use: varints (int64, uint64, bool, enum) and
// length-delimited fields (bytes, string, nested messages). Zero values are left out, as proto3 encoders do.
// Encoding: https://protobuf.dev/programming-guides/encoding/ (tags are field << 3 | wire type).

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** A message being written; nested messages are written whole (`message(field, bytes)`). */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  /** An int64/uint64/enum field that fits a JS number; left out when 0. Negative numbers are not used by us. */
  int(field: number, value: number): this {
    if (value === 0) return this;
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`field ${field}: not a non-negative safe integer: ${value}`);
    this.tag(field, WIRE_VARINT);
    this.push(varintBytes(value));
    return this;
  }

  /** A varint field written even when 0: a oneof member, whose presence is what tells it apart. */
  intPresent(field: number, value: number): this {
    if (value !== 0) return this.int(field, value);
    this.tag(field, WIRE_VARINT);
    this.push(varintBytes(0));
    return this;
  }

  /** A uint64 (member ids) given in decimal; left out when 0. */
  uint64(field: number, decimal: string): this {
    const value = BigInt(decimal);
    if (value === 0n) return this;
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`field ${field}: not a uint64: ${decimal}`);
    this.tag(field, WIRE_VARINT);
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    this.push(Buffer.from(bytes));
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    return value ? this.int(field, 1) : this;
  }

  /** bytes or string (UTF-8); left out when empty. */
  bytes(field: number, value: Buffer | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (bytes.length === 0) return this;
    return this.delimited(field, bytes);
  }

  /** A nested message, written even when empty (a oneof member or a present sub-message). */
  message(field: number, encoded: Buffer): this {
    return this.delimited(field, encoded);
  }

  finish(): Buffer {
    return this.parts.length === 1 && this.parts[0] ? this.parts[0] : Buffer.concat(this.parts, this.size);
  }

  private delimited(field: number, bytes: Buffer): this {
    this.tag(field, WIRE_LEN);
    this.push(varintBytes(bytes.length));
    this.push(bytes);
    return this;
  }

  private tag(field: number, wire: number): void {
    this.push(varintBytes(field * 8 + wire));
  }

  private push(bytes: Buffer): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
}

function varintBytes(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Reads one message's fields in order: `while (r.more()) { const [field, wire] = r.key(); ... }`. */
export class ProtoReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** The next field's number and wire type. */
  key(): [field: number, wire: number] {
    const tag = this.varint();
    return [Math.floor(tag / 8), tag % 8];
  }

  /** A varint as a JS number; throws when it is not a safe integer (a negative int64, an id: use uint64()). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 63) throw new RangeError('varint longer than 10 bytes');
    }
    if (!Number.isSafeInteger(value)) throw new RangeError(`varint ${value} is not a safe integer`);
    return value;
  }

  /** A uint64 (or an int64 read as its two's-complement bits) as a decimal string. */
  uint64(): string {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.byte();
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
      if (shift > 63n) throw new RangeError('varint longer than 10 bytes');
    }
    return BigInt.asUintN(64, value).toString(10);
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  bytes(): Buffer {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new RangeError(`field of ${length} bytes runs past the message's end`);
    this.pos += length;
    return this.buf.subarray(start, start + length);
  }

  string(): string {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new RangeError(`field of ${length} bytes runs past the message's end`);
    this.pos += length;
    return this.buf.toString('utf8', start, start + length);
  }

  /** A nested message's reader (it shares the buffer). */
  message(): ProtoReader {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new RangeError(`message of ${length} bytes runs past its parent's end`);
    this.pos += length;
    return new ProtoReader(this.buf, start, start + length);
  }

  /** Skips a field this reader does not know (proto3 readers ignore unknown fields). */
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_I64) this.advance(8);
    else if (wire === WIRE_I32) this.advance(4);
    else throw new RangeError(`unsupported wire type ${wire}`);
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) throw new RangeError('fixed-width field runs past the message end');
    this.pos += count;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new RangeError('message ends inside a varint');
    return this.buf[this.pos++] ?? 0;
  }
}
