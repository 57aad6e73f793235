// 长辈版 (care mode, MIIT 2021 适老化) for the villager app and the large-text mode of the console:
// a class on <html> so every variable resolved on :root (Vant's derived ones too) follows;
// remembered in localStorage.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const CARE_CLASS = 'care';
export const CARE_KEY = 'aidazu.care';
export const LARGE_TEXT_CLASS = 'large-text';
export const LARGE_TEXT_KEY = 'aidazu.console.largeText';

function storage(): Storage | undefined {
  try {
    return typeof window !== 'undefined' ? window.localStorage : undefined;
  } catch {
    return undefined;
  }
}

function makeModeStore(id: string, key: string, className: string) {
  return defineStore(id, () => {
    let initial = false;
    try {
      initial = storage()?.getItem(key) === '1';
    } catch {
      initial = false;
    }
    const enabled = ref(initial);
    document.documentElement.classList.toggle(className, initial);

    function set(on: boolean) {
      enabled.value = on;
      document.documentElement.classList.toggle(className, on);
      try {
        if (on) storage()?.setItem(key, '1');
        else storage()?.removeItem(key);
      } catch {
        // private mode: for this page only
      }
    }

    function toggle() {
      set(!enabled.value);
    }

    return { enabled, set, toggle };
  });
}

/** The villager app's 长辈版 switch. */
export const useCareStore = makeModeStore('care', CARE_KEY, CARE_CLASS);
/** The console's large-text mode. */
export const useLargeTextStore = makeModeStore('largeText', LARGE_TEXT_KEY, LARGE_TEXT_CLASS);
