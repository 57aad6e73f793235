// What the console shows for the caller's grants (R1). The API enforces the same; the console
// only hides what the caller may not press.
import type { Profile } from '../shared/session';

export interface Village {
  id: number;
  code: string;
  name: string;
  town: string;
  townId: number;
  district: string;
  districtId: number;
}

export const STAFF_ROLES = ['village_admin', 'village_committee', 'town_officer', 'district_officer'];

export { ROLE_LABEL } from '../shared/login';

export function isStaff(profile: Profile | null): boolean {
  return !!profile?.roles.some((r) => STAFF_ROLES.includes(r.role));
}

/** Villages the console offers: those a staff grant covers (R1), as the API scopes them. */
export function villagesInScope(profile: Profile | null, all: Village[]): Village[] {
  if (!profile) return [];
  const roles = profile.roles.filter((r) => STAFF_ROLES.includes(r.role));
  return all.filter((v) =>
    roles.some(
      (r) =>
        (r.scopeLevel === 'village' && r.scopeId === v.id) ||
        (r.scopeLevel === 'town' && r.scopeId === v.townId) ||
        (r.scopeLevel === 'district' && r.scopeId === v.districtId),
    ),
  );
}

/** Village admins decide declarations, score, and change households and members there. */
export function isVillageAdmin(profile: Profile | null, villageId: number | null): boolean {
  return !!profile?.roles.some(
    (r) => r.role === 'village_admin' && r.scopeLevel === 'village' && r.scopeId === villageId,
  );
}

/** The village committee (村支两委) decides objections and nominates for honours there (D5, D6). */
export function isVillageCommittee(profile: Profile | null, villageId: number | null): boolean {
  return !!profile?.roles.some(
    (r) => r.role === 'village_committee' && r.scopeLevel === 'village' && r.scopeId === villageId,
  );
}

/** Town officers decide escalated objections of their town's villages (the API checks the town). */
export function isTownOfficer(profile: Profile | null): boolean {
  return !!profile?.roles.some((r) => r.role === 'town_officer');
}

/** Who may preview a quarter's board and publish it now (R16, 立即公示): as the API allows. */
export function canPublish(profile: Profile | null, villageId: number | null): boolean {
  return isVillageAdmin(profile, villageId) || isVillageCommittee(profile, villageId) || isTownOfficer(profile);
}

/** Who may set the DingTalk group a village's notices go to: its admin, or the district (as the API allows). */
export function canSetNoticeGroup(profile: Profile | null, villageId: number | null): boolean {
  return isVillageAdmin(profile, villageId) || !!profile?.roles.some((r) => r.role === 'district_officer');
}

/** The district a district officer works for (the district pages: 区模板调整, 工作日历, 组织架构). */
export function officerDistrict(profile: Profile | null): number | null {
  return profile?.roles.find((r) => r.role === 'district_officer' && r.scopeLevel === 'district')?.scopeId ?? null;
}

/** Who sees the organisation tree page: district officers (who add to it) and town officers (read only). */
export function canViewOrg(profile: Profile | null): boolean {
  return officerDistrict(profile) !== null || isTownOfficer(profile);
}
