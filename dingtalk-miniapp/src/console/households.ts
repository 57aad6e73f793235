import type { ApiClient } from '../shared/api';

export interface MemberDto {
  id: number;
  householdId: number;
  name: string;
  relation: string;
  kind: string;
  mobileMasked: string | null;
  participating: boolean;
  dingtalkUserIds: string[];
}

export interface HouseholdDto {
  id: number;
  code: string;
  address: string;
  participating: boolean;
  members: MemberDto[];
}

/** Household details by id, fetched once per page. */
export function householdCache(api: ApiClient) {
  const cache = new Map<number, Promise<HouseholdDto>>();
  return (id: number) => {
    let hit = cache.get(id);
    if (!hit) {
      hit = api.get<HouseholdDto>(`/api/v1/admin/households/${id}`);
      cache.set(id, hit);
      hit.catch(() => cache.delete(id));
    }
    return hit;
  };
}
