import { expect } from 'chai';
import { plainKubeConfig, statusCodeOf } from './kubeconfig.ts';

describe('util/kubeconfig', () => {
  it("reads a request's HTTP status, also through errors that wrap it as their cause", () => {
    const notFound = Object.assign(new Error('HTTP-Code: 404'), { code: 404 });
    expect(statusCodeOf(notFound)).to.equal(404);
    expect(statusCodeOf(new Error('DELETE Node cp-0: HTTP-Code: 404', { cause: notFound }))).to.equal(404);
    expect(statusCodeOf(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).to.equal(undefined);
    expect(statusCodeOf('not an error')).to.equal(undefined);
  });

  it('builds a kubeconfig for a server without credentials', () => {
    expect(plainKubeConfig('http://127.0.0.1:6443').getCurrentCluster()).to.include({
      server: 'http://127.0.0.1:6443',
      skipTLSVerify: true,
    });
  });
});
