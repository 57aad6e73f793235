import { describe, expect, it } from 'vitest';
import { canPublish, villagesInScope, type Village } from '../src/console/scope';
import type { Profile } from '../src/shared/session';

const v = (id: number, townId: number, districtId = 1): Village => ({
  id,
  code: `v${id}`,
  name: `村${id}`,
  town: `镇${townId}`,
  townId,
  district: '大足区',
  districtId,
});
const all = [v(1, 10), v(2, 10), v(3, 11), v(4, 20, 2)];
const profile = (roles: { role: string; scopeLevel: string; scopeId: number }[]): Profile =>
  ({ name: 'x', roles }) as unknown as Profile;

describe('villagesInScope (R1)', () => {
  it('offers a village role its village only', () => {
    expect(villagesInScope(profile([{ role: 'village_admin', scopeLevel: 'village', scopeId: 2 }]), all).map((x) => x.id)).toEqual([2]);
  });
  it('offers a town officer the villages of the town, not of other towns', () => {
    expect(villagesInScope(profile([{ role: 'town_officer', scopeLevel: 'town', scopeId: 10 }]), all).map((x) => x.id)).toEqual([1, 2]);
  });
  it('offers a district officer the district, not another district', () => {
    expect(villagesInScope(profile([{ role: 'district_officer', scopeLevel: 'district', scopeId: 1 }]), all).map((x) => x.id)).toEqual([1, 2, 3]);
  });
  it('offers a villager nothing', () => {
    expect(villagesInScope(profile([{ role: 'villager', scopeLevel: 'village', scopeId: 1 }]), all)).toEqual([]);
  });
});

describe('canPublish (R16)', () => {
  it('follows the API: admin and committee of the village, town officers; not the district', () => {
    expect(canPublish(profile([{ role: 'village_committee', scopeLevel: 'village', scopeId: 1 }]), 1)).toBe(true);
    expect(canPublish(profile([{ role: 'village_admin', scopeLevel: 'village', scopeId: 1 }]), 2)).toBe(false);
    expect(canPublish(profile([{ role: 'town_officer', scopeLevel: 'town', scopeId: 10 }]), 1)).toBe(true);
    expect(canPublish(profile([{ role: 'district_officer', scopeLevel: 'district', scopeId: 1 }]), 1)).toBe(false);
  });
});
