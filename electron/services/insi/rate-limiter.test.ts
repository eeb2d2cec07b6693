import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('spaces call starts at 1/perSecond across concurrent callers', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(4, () => now, async (ms) => {
      waits.push(ms);
    });
    await Promise.all([limiter.take(), limiter.take(), limiter.take(), limiter.take()]);
    expect(waits).toEqual([250, 500, 750]);
    now = 2000;
    await limiter.take();
    expect(waits).toHaveLength(3);
  });

  it('reads a rate given as a function at each call: a change applies to the next calls', async () => {
    const now = 0;
    let perSecond = 5;
    const waits: number[] = [];
    const limiter = new RateLimiter(() => perSecond, () => now, async (ms) => {
      waits.push(ms);
    });
    await Promise.all([limiter.take(), limiter.take()]);
    expect(waits).toEqual([200]);
    // Paramètres: 1 a second. The slot already taken stays; the next ones are a second apart.
    perSecond = 1;
    await Promise.all([limiter.take(), limiter.take()]);
    expect(waits).toEqual([200, 400, 1400]);
  });

  it('does not wait when unlimited', async () => {
    const limiter = new RateLimiter(0, () => 0, async () => {
      throw new Error('should not sleep');
    });
    await expect(limiter.take()).resolves.toBeUndefined();
  });

  it('gives up when the job is aborted', async () => {
    const limiter = new RateLimiter(1);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
