import { expect } from 'chai';
import http2 from 'node:http2';
import net from 'node:net';
import { frameMessage, GrpcStatusError, GrpcTransport, MessageDeframer, statusOf } from './grpc-transport.ts';

function listen(server: net.Server | http2.Http2Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('gRPC transport', function () {
  this.timeout(30_000);

  it('deframes messages however the chunks fall', () => {
    const a = Buffer.from('first');
    const b = Buffer.alloc(0);
    const c = Buffer.from('third message');
    const wire = Buffer.concat([frameMessage(a), frameMessage(b), frameMessage(c)]);
    for (let cut = 1; cut < wire.length; cut++) {
      const deframer = new MessageDeframer();
      const out = [...deframer.push(wire.subarray(0, cut)), ...deframer.push(wire.subarray(cut))];
      expect(
        out.map((m) => m.toString()),
        `cut at ${cut}`,
      ).to.deep.equal(['first', '', 'third message']);
      expect(deframer.leftover).to.equal(0);
    }
    expect(() => new MessageDeframer().push(Buffer.from([1, 0, 0, 0, 0]))).to.throw(/compressed/);
  });

  it('reads the status from trailers, or from the headers of a trailers-only reply, percent-decoded', () => {
    expect(statusOf({}, { 'grpc-status': '0' })).to.equal('ok');
    const fromTrailers = statusOf({}, { 'grpc-status': '14', 'grpc-message': 'etcdserver: no leader' });
    expect(fromTrailers).to.be.instanceOf(GrpcStatusError);
    expect((fromTrailers as GrpcStatusError).code).to.equal(14);
    const trailersOnly = statusOf({ 'grpc-status': '11', 'grpc-message': 'a%20b%25' }, undefined);
    expect((trailersOnly as GrpcStatusError).grpcMessage).to.equal('a b%');
    expect(statusOf({}, undefined)).to.equal(undefined);
  });

  it('sends a framed request with the method path, deadline and hasleader metadata, and returns the reply message', async () => {
    const seen: http2.IncomingHttpHeaders[] = [];
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      seen.push(headers);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const request = new MessageDeframer().push(Buffer.concat(chunks))[0] ?? Buffer.alloc(0);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frameMessage(Buffer.from(`echo ${request.toString()}`)));
      });
    });
    const port = await listen(server);
    const transport = new GrpcTransport({ url: `http://127.0.0.1:${port}` });
    try {
      const reply = await transport.unary('/etcdserverpb.KV/Range', Buffer.from('ping'), new AbortController().signal, true, 1500);
      expect(reply.toString()).to.equal('echo ping');
      await transport.unary('/etcdserverpb.Maintenance/Status', Buffer.alloc(0), new AbortController().signal, false, 1500);
      expect(seen[0]?.[':path']).to.equal('/etcdserverpb.KV/Range');
      expect(seen[0]?.['content-type']).to.equal('application/grpc');
      expect(seen[0]?.['grpc-timeout']).to.equal('1500m');
      expect(seen[0]?.hasleader).to.equal('true');
      expect(seen[1]?.hasleader).to.equal(undefined);
    } finally {
      transport.close();
      server.close();
    }
  });

  it('drops a connection that stops answering after a call runs out of time, and reconnects', async () => {
    // Accepts connections and never speaks HTTP/2: a peer gone without a reset.
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.resume(); // reads (and drops) what the client sends, so its close is seen
    });
    const port = await listen(server);
    const transport = new GrpcTransport({ url: `http://127.0.0.1:${port}` });
    try {
      const call = (): Promise<unknown> =>
        transport.unary('/etcdserverpb.KV/Range', Buffer.alloc(0), AbortSignal.timeout(200), true, 200).catch((e: unknown) => e);
      expect(await call()).to.be.instanceOf(DOMException);
      expect(sockets).to.have.length(1);
      transport.checkConnection(200);
      const deadline = Date.now() + 10_000;
      while (!sockets[0]?.destroyed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sockets[0]?.destroyed, 'the silent connection was dropped').to.equal(true);
      await call();
      expect(sockets, 'the next call opened a new connection').to.have.length(2);
    } finally {
      transport.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('keeps a connection that answers pings though a call on it timed out', async () => {
    let connections = 0;
    const server = http2.createServer();
    server.on('session', () => connections++);
    server.on('stream', () => undefined); // never answers a call, as a minority member's linearizable read
    const port = await listen(server);
    const transport = new GrpcTransport({ url: `http://127.0.0.1:${port}` });
    try {
      const call = (): Promise<unknown> =>
        transport.unary('/etcdserverpb.KV/Range', Buffer.alloc(0), AbortSignal.timeout(200), true, 200).catch((e: unknown) => e);
      await call();
      transport.checkConnection(1000);
      await new Promise((r) => setTimeout(r, 1300));
      await call();
      expect(connections).to.equal(1);
    } finally {
      transport.close();
      server.close();
    }
  });
});
