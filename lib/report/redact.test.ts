import { expect } from 'chai';
import { REDACTED, isSensitiveKey, redact, redactValue } from './redact.ts';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.QmFzZTY0U2lnbmF0dXJl';

describe('redact', () => {
  const cases: readonly [string, string, string][] = [
    ['kubeconfig token', '    token: s3cr3t-t0k3n', `    token: ${REDACTED}`],
    ['kubeconfig client key', '    client-key-data: LS0tLS1CRUdJTiBSU0E=', `    client-key-data: ${REDACTED}`],
    ['kubeconfig client certificate', '    client-certificate-data: LS0tLS1CRUdJTiBDRVJU', `    client-certificate-data: ${REDACTED}`],
    ['kubeconfig password', '    password: hunter2', `    password: ${REDACTED}`],
    ['JSON key', '{"token":"abc123","user":"admin"}', `{"token":"${REDACTED}","user":"admin"}`],
    ['JSON value with spaces and an escaped quote', '{"password":"two \\"words\\"","n":1}', `{"password":"${REDACTED}","n":1}`],
    ['JSON-in-JSON (escaped quotes)', '"{\\"password\\":\\"pw\\"}"', `"{\\"password\\":\\"${REDACTED}\\"}"`],
    ['single-quoted YAML', "password: 'p a\\' b'", `password: '${REDACTED}'`],
    ['Authorization header', 'Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
    ['Basic auth header', 'authorization: Basic dXNlcjpwYXNz', `authorization: Basic ${REDACTED}`],
    ['JSON header', '{"Authorization":"Bearer xyz123456"}', `{"Authorization":"Bearer ${REDACTED}"}`],
    ['bare bearer token', 'request failed with bearer AbCdEf0123456789', `request failed with bearer ${REDACTED}`],
    ['JWT', `id ${JWT} used`, `id ${REDACTED} used`],
    ['command-line flag =', 'kubectl --token=abc123 get nodes', `kubectl --token=${REDACTED} get nodes`],
    ['command-line flag space', 'kubectl --token abc123 get nodes', `kubectl --token ${REDACTED} get nodes`],
    ['camelCase key', 'accessToken=zzz999', `accessToken=${REDACTED}`],
    ['URL credentials', 'https://admin:pw0rd@10.0.0.1:6443/api', `https://admin:${REDACTED}@10.0.0.1:6443/api`],
    ['RKE2 join token', 'K10a1b2c3d4e5f6a7b8c9d0::server:deadbeefcafe', REDACTED],
    ['XML attribute stays well-formed', '<x message="token: abc">', `<x message="token: ${REDACTED}">`],
  ];
  for (const [label, input, output] of cases) {
    it(`redacts a ${label}`, () => {
      expect(redact(input)).to.equal(output);
    });
  }

  it('redacts a PEM private key, also with escaped newlines', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\nIBAAKC\\n-----END RSA PRIVATE KEY-----';
    expect(redact(`"key":"${pem}"`)).to.equal(`"key":"-----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----"`);
  });

  it('is idempotent', () => {
    for (const [, input] of cases) expect(redact(redact(input))).to.equal(redact(input));
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'node MODIFIED worker-0 Ready=True role=worker promote-status=running',
      'k8s-event NodePromoteRunning Node/worker-0: promote running',
      'token-ttl: 24h',
      'the password must be rotated',
      'tokens were issued',
      'worker.17f3a8b9c0d1e2f3',
    ]) {
      expect(redact(text)).to.equal(text);
    }
  });

  it('keeps redacted JSON parseable', () => {
    const json = JSON.stringify({ a: 'Authorization: Bearer abcdefgh', token: 'x', nested: [{ password: 'p"q' }] });
    expect(() => JSON.parse(redact(json)) as unknown).not.to.throw();
  });
});

describe('redactValue', () => {
  it('replaces credential-named values and redacts every string, keeping the shape', () => {
    const input = { seq: 3, labels: { 'client-key-data': 'abc', keep: 'x' }, list: [`Bearer ${JWT}`, 7], Token: 'raw', token: 42 };
    expect(redactValue(input)).to.deep.equal({
      seq: 3,
      labels: { 'client-key-data': REDACTED, keep: 'x' },
      list: [`Bearer ${REDACTED}`, 7],
      Token: REDACTED,
      token: 42,
    });
  });

  it('knows the sensitive keys', () => {
    expect(['token', 'id-token', 'client_key_data', 'clientCertificateData', 'Authorization', 'password'].every(isSensitiveKey)).to.equal(
      true,
    );
    expect(['tokenFile', 'name', 'user'].some(isSensitiveKey)).to.equal(false);
  });
});
