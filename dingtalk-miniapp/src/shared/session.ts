// One session store per app (villager, console): the API client, who is logged in, and the
// message shown when the session ended.
import { defineStore } from 'pinia';
import { computed, markRaw, ref } from 'vue';
import { ApiClient, SessionResponse, localTokenStore } from './api';
import type { ClientKind } from './login';

export type Profile = Omit<SessionResponse, 'accessToken' | 'refreshToken' | 'tokenType' | 'expiresIn'> & {
  accountId: number | null;
};

/** The account id (`sub`) of our JWT, read without verifying (display decisions only). */
export function accountIdOf(accessToken: string): number | null {
  try {
    const part = accessToken.split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: string | number }).sub;
    const id = Number(sub);
    return Number.isFinite(id) ? id : null;
  } catch {
    return null;
  }
}

export function profileOf(session: SessionResponse): Profile {
  return {
    name: session.name,
    member: session.member,
    household: session.household,
    roles: session.roles,
    accountId: accountIdOf(session.accessToken),
  };
}

export function createSessionStore(id: string, client: ClientKind) {
  const tokenKey = `aidazu.${id}.tokens`;
  const profileKey = `aidazu.${id}.profile`;
  return defineStore(`session-${id}`, () => {
    const profile = ref<Profile | null>(readProfile(profileKey));
    const endedMessage = ref<string | null>(null);
    const api = markRaw(new ApiClient({ tokens: localTokenStore(tokenKey) }));
    api.onSession = (session) => {
      endedMessage.value = null;
      profile.value = profileOf(session);
      writeProfile(profileKey, profile.value);
    };
    api.onSessionEnded = (message) => {
      profile.value = null;
      writeProfile(profileKey, null);
      endedMessage.value = message;
    };

    const loggedIn = computed(() => profile.value !== null && api.loggedIn);

    async function logout() {
      try {
        await api.post('/api/v1/auth/logout', {});
      } catch {
        // the session is forgotten here either way
      }
      api.clear();
      profile.value = null;
      writeProfile(profileKey, null);
    }

    return { api, profile, endedMessage, loggedIn, logout, client };
  });
}

function readProfile(key: string): Profile | null {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Profile) : null;
  } catch {
    return null;
  }
}

function writeProfile(key: string, profile: Profile | null) {
  try {
    if (profile) window.localStorage.setItem(key, JSON.stringify(profile));
    else window.localStorage.removeItem(key);
  } catch {
    // private mode
  }
}
