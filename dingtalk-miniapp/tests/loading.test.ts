import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/shared/api';
import { useLoading } from '../src/shared/loading';

describe('useLoading (a console page loading its data)', () => {
  it('shows loading while the task runs and clears an earlier error', async () => {
    const { loading, error, run } = useLoading();
    error.value = '旧的错误';
    let seen = false;
    await run(async () => {
      seen = loading.value;
    });
    expect(seen).toBe(true);
    expect(loading.value).toBe(false);
    expect(error.value).toBeNull();
  });

  it('puts the server message into error and lets the page reset what it shows', async () => {
    const { loading, error, run } = useLoading();
    let rows = [1, 2];
    await run(
      async () => {
        throw new ApiError(409, 'catalogue_change.stale', '该申请所依据的版本已更新，请重新起草');
      },
      () => {
        rows = [];
      },
    );
    expect(loading.value).toBe(false);
    expect(error.value).toBe('该申请所依据的版本已更新，请重新起草');
    expect(rows).toEqual([]);
  });

  it('names an unexpected failure in plain Chinese', async () => {
    const { error, run } = useLoading();
    await run(async () => {
      throw new TypeError('x is undefined');
    });
    expect(error.value).toBe('出现了意外错误，请稍后再试');
  });
});
