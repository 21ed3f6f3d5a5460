import { describe, expect, it } from 'vitest';
import { functionLimits, invocationKey, lambdaTimeoutError, runWithinTimeout } from '../../local/cloud/lambda-limits.js';

describe('Lambda limits from the template', () => {
  it("reads Timeout and MemorySize, with CloudFormation's defaults of 3 s and 128 MB", () => {
    expect(functionLimits({ Timeout: 30, MemorySize: 512 })).toEqual({ timeoutSeconds: 30, memorySizeMb: 512 });
    expect(functionLimits({})).toEqual({ timeoutSeconds: 3, memorySizeMb: 128 });
    expect(() => functionLimits({ Timeout: 'soon' })).toThrow('AWS::Lambda::Function Timeout must be a positive number, got "soon"');
  });

  it('fails a handler that runs past its timeout with Sandbox.Timedout, without waiting for it', async () => {
    let lateWork = false;
    const started = performance.now();
    const run = runWithinTimeout(
      0.05,
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            lateWork = true;
            resolve(true);
          }, 400),
        ),
      () => lambdaTimeoutError(0.05, 'req-1', new Date('2026-11-20T01:00:00Z')),
    );
    await expect(run).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: '2026-11-20T01:00:00.000Z req-1 Task timed out after 0.05 seconds',
    });
    expect(performance.now() - started).toBeLessThan(300);
    expect(lateWork).toBe(false);
  });

  it('counts the remaining time down from the timeout and returns what a quick handler returns', async () => {
    const seen: number[] = [];
    const value = await runWithinTimeout(
      2,
      async (remaining) => {
        seen.push(remaining());
        await new Promise((resolve) => setTimeout(resolve, 60));
        seen.push(remaining());
        return 'done';
      },
      () => new Error('not expected'),
    );
    expect(value).toBe('done');
    expect(seen[0]).toBeLessThanOrEqual(2000);
    expect(seen[0]).toBeGreaterThan(1900);
    expect(seen[0]! - seen[1]!).toBeGreaterThanOrEqual(50);
  });

  it('passes a handler error through unchanged', async () => {
    const error = Object.assign(new Error('boom'), { name: 'PermanentContactError' });
    await expect(
      runWithinTimeout(
        1,
        () => Promise.reject(error),
        () => new Error('timeout'),
      ),
    ).rejects.toBe(error);
  });

  it('names an invocation by its payload, ignoring local ids handed out in arrival order', () => {
    const a = invocationKey('FollowUpContactFunction6A4C809A', { followUpId: 'fu-1', attempt: 2, taskToken: 'token-0a1b2c3d4e5f-17.fu-1' });
    const b = invocationKey('FollowUpContactFunction6A4C809A', { followUpId: 'fu-1', attempt: 2, taskToken: 'token-99aa88bb77cc-4.fu-1' });
    const c = invocationKey('FollowUpContactFunction6A4C809A', { followUpId: 'fu-1', attempt: 3, taskToken: 'token-0a1b2c3d4e5f-17.fu-1' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.startsWith('FollowUpContactFunction6A4C809A:')).toBe(true);
  });
});
