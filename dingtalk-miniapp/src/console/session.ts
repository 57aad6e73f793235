import { createSessionStore } from '../shared/session';

export const useSession = createSessionStore('console', 'console');
