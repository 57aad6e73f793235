import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { mount } from '@vue/test-utils';
import { CARE_KEY, useCareStore, useLargeTextStore } from '../src/shared/care';
import CareSwitch from '../src/villager/components/CareSwitch.vue';

describe('care mode (长辈版)', () => {
  beforeEach(() => {
    window.localStorage.clear();
    document.documentElement.className = '';
    setActivePinia(createPinia());
  });

  it('puts the class on <html> and remembers the choice', () => {
    const care = useCareStore();
    expect(care.enabled).toBe(false);
    care.set(true);
    expect(document.documentElement.classList.contains('care')).toBe(true);
    expect(window.localStorage.getItem(CARE_KEY)).toBe('1');
    care.toggle();
    expect(document.documentElement.classList.contains('care')).toBe(false);
    expect(window.localStorage.getItem(CARE_KEY)).toBeNull();
  });

  it('starts on when it was left on', () => {
    window.localStorage.setItem(CARE_KEY, '1');
    const care = useCareStore();
    expect(care.enabled).toBe(true);
    expect(document.documentElement.classList.contains('care')).toBe(true);
  });

  it('the console large-text mode is its own switch', () => {
    useLargeTextStore().set(true);
    expect(document.documentElement.classList.contains('large-text')).toBe(true);
    expect(document.documentElement.classList.contains('care')).toBe(false);
  });

  it('the 长辈版 switch component turns it on', async () => {
    const wrapper = mount(CareSwitch, { global: { plugins: [createPinia()] } });
    const care = useCareStore();
    expect(wrapper.text()).toContain('长辈版');
    await wrapper.find('[role="switch"]').trigger('click');
    expect(care.enabled).toBe(true);
    expect(document.documentElement.classList.contains('care')).toBe(true);
  });
});
