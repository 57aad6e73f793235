import { ref } from 'vue';
import { errorMessage } from './api';

/**
 * A page's loading state: `run(task)` shows `loading` while `task` runs and puts its failure, as
 * the server's Chinese message, into `error`; `onError` resets what the page shows then.
 */
export function useLoading() {
  const loading = ref(false);
  const error = ref<string | null>(null);
  async function run(task: () => Promise<void>, onError?: () => void): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      await task();
    } catch (e) {
      onError?.();
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }
  return { loading, error, run };
}
