import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { errorMessage } from '../shared/api';
import { useSession } from './session';
import { Village, isStaff, isTownOfficer, isVillageAdmin, isVillageCommittee, villagesInScope } from './scope';

/** The village the console works on, from the caller's scope. */
export const useConsole = defineStore('console', () => {
  const session = useSession();
  const villages = ref<Village[]>([]);
  const villageId = ref<number | null>(null);
  const error = ref<string | null>(null);

  async function load() {
    error.value = null;
    try {
      const all = (await session.api.get<{ villages: Village[] }>('/api/v1/villages', { auth: false })).villages;
      villages.value = villagesInScope(session.profile, all);
      if (!villages.value.some((v) => v.id === villageId.value)) {
        villageId.value = villages.value[0]?.id ?? null;
      }
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  const staff = computed(() => isStaff(session.profile));
  const admin = computed(() => isVillageAdmin(session.profile, villageId.value));
  const committee = computed(() => isVillageCommittee(session.profile, villageId.value));
  const town = computed(() => isTownOfficer(session.profile));
  const village = computed(() => villages.value.find((v) => v.id === villageId.value) ?? null);

  return { villages, villageId, village, error, load, staff, admin, committee, town };
});
