// 组织架构 (R1, issue 12): the organisation tree the caller covers (区 → 镇街 → 村社 → 村民小组),
// built from the flat lists `GET /api/v1/admin/org` sends, with each node's counts below it. Pure.

export interface OrgNodeDto {
  id: number;
  code: string;
  name: string;
  deptId: string | null;
  parentId: number | null;
}
export interface OrgTreeDto {
  districts: OrgNodeDto[];
  towns: OrgNodeDto[];
  villages: OrgNodeDto[];
  groups: OrgNodeDto[];
}

export type OrgLevel = 'district' | 'town' | 'village' | 'group';

export interface OrgTreeNode {
  /** Unique across levels (`town-10`), for the table's row key. */
  key: string;
  level: OrgLevel;
  id: number;
  code: string;
  name: string;
  deptId: string | null;
  counts: { towns: number; villages: number; groups: number };
  children: OrgTreeNode[];
}

export const LEVEL_LABEL: Record<OrgLevel, string> = { district: '区', town: '镇街', village: '村社', group: '村民小组' };
/** What may be added below a node of each level (the district office adds, R1). */
export const CHILD_LEVEL: Partial<Record<OrgLevel, OrgLevel>> = { district: 'town', town: 'village', village: 'group' };

function node(level: OrgLevel, n: OrgNodeDto, children: OrgTreeNode[]): OrgTreeNode {
  const sum = (k: 'towns' | 'villages' | 'groups') => children.reduce((s, c) => s + c.counts[k], 0);
  const counts = {
    towns: level === 'district' ? children.length : 0,
    villages: level === 'town' ? children.length : sum('villages'),
    groups: level === 'village' ? children.length : sum('groups'),
  };
  return { key: `${level}-${n.id}`, level, id: n.id, code: n.code, name: n.name, deptId: n.deptId, counts, children };
}

/** The tree; a node whose parent the caller does not see (a town officer's town) becomes a root. */
export function buildOrgTree(t: OrgTreeDto): OrgTreeNode[] {
  const under = (list: OrgNodeDto[], parent: number) => list.filter((n) => n.parentId === parent);
  const group = (g: OrgNodeDto) => node('group', g, []);
  const village = (v: OrgNodeDto) => node('village', v, under(t.groups, v.id).map(group));
  const town = (x: OrgNodeDto) => node('town', x, under(t.villages, x.id).map(village));
  const district = (d: OrgNodeDto) => node('district', d, under(t.towns, d.id).map(town));
  const has = (list: OrgNodeDto[], id: number | null) => id !== null && list.some((n) => n.id === id);
  return [
    ...t.districts.map(district),
    ...t.towns.filter((x) => !has(t.districts, x.parentId)).map(town),
    ...t.villages.filter((v) => !has(t.towns, v.parentId)).map(village),
    ...t.groups.filter((g) => !has(t.villages, g.parentId)).map(group),
  ];
}

/** “4 个镇街、4 个村社、20 个村民小组” for what lies below a node. */
export function countsText(n: OrgTreeNode): string {
  const parts: string[] = [];
  if (n.level === 'district') parts.push(`${n.counts.towns} 个镇街`);
  if (n.level === 'district' || n.level === 'town') parts.push(`${n.counts.villages} 个村社`);
  if (n.level !== 'group') parts.push(`${n.counts.groups} 个村民小组`);
  return parts.join('、');
}
