import { TokenCache } from '../src/auth/verification/token-cache';

describe('TokenCache', () => {
  const principal = { subject: 'user-1' };

  it('returns a remembered token', () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() + 30_000);

    expect(cache.get('token-a')).toBe(principal);
    expect(cache.get('token-b')).toBeUndefined();
  });

  it('forgets a token when it expires', async () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() + 50);

    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('forgets a token after the maximum age', async () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 10, maxAgeMs: 50 });
    cache.set('token-a', principal, 'key-1', Date.now() + 3_600_000);

    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('skips a token that is already expired', () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() - 1);

    expect(cache.size).toBe(0);
  });

  it('drops tokens whose key left the set', () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() + 30_000);
    cache.set('token-b', principal, 'key-2', Date.now() + 30_000);

    cache.retainKeys(new Set(['key-2']));

    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.get('token-b')).toBe(principal);
  });

  it('evicts the least recently used token when full', () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 2, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() + 30_000);
    cache.set('token-b', principal, 'key-1', Date.now() + 30_000);
    cache.get('token-a');
    cache.set('token-c', principal, 'key-1', Date.now() + 30_000);

    expect(cache.get('token-a')).toBe(principal);
    expect(cache.get('token-b')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('stores nothing when its size is 0', () => {
    const cache = new TokenCache<typeof principal>({ maxEntries: 0, maxAgeMs: 60_000 });
    cache.set('token-a', principal, 'key-1', Date.now() + 30_000);

    expect(cache.get('token-a')).toBeUndefined();
  });
});
