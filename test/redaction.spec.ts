import { REDACTED, redactUrl, scrubRecord } from '../src/observability/redaction';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

describe('log redaction', () => {
  it('replaces fields named like credentials at any depth', () => {
    const record = scrubRecord({
      msg: 'login',
      password: 'hunter2',
      nested: { Authorization: 'Basic abc', client_secret: 's3cret', keep: 'visible' },
    });

    expect(record.password).toBe(REDACTED);
    expect(record.nested).toEqual({ Authorization: REDACTED, client_secret: REDACTED, keep: 'visible' });
    expect(record.msg).toBe('login');
  });

  it('replaces JWTs and bearer credentials inside strings', () => {
    const record = scrubRecord({ msg: `failed for ${JWT}`, detail: { text: `Bearer opaque-token-123 was sent` } });

    expect(record.msg).toBe(`failed for ${REDACTED}`);
    expect(record.detail).toEqual({ text: `Bearer ${REDACTED} was sent` });
  });

  it('redacts token parameters in URLs', () => {
    expect(redactUrl(`/api/external?access_token=${JWT}&page=2`)).toBe(`/api/external?access_token=${REDACTED}&page=2`);
  });
});
