import { describe, expect, it } from 'vitest';
import { buildOrgTree, countsText, type OrgTreeDto } from '../src/console/org';

const n = (id: number, parentId: number | null, name = `n${id}`) => ({ id, code: `c${id}`, name, deptId: String(id), parentId });
const tree: OrgTreeDto = {
  districts: [n(1, null, '大足区')],
  towns: [n(10, 1, '棠香街道'), n(20, 1, '宝顶镇'), n(30, 1, '新镇')],
  villages: [n(11, 10, '和平村'), n(21, 20, '慈航社区'), n(22, 20)],
  groups: [n(111, 11), n(112, 11), n(211, 21)],
};

describe('buildOrgTree (区 → 镇 → 村 → 组)', () => {
  it('nests the lists and counts what lies below each node', () => {
    const [district] = buildOrgTree(tree);
    expect(district).toMatchObject({ key: 'district-1', counts: { towns: 3, villages: 3, groups: 3 } });
    const baoding = district.children.find((c) => c.name === '宝顶镇')!;
    expect(baoding.counts).toEqual({ towns: 0, villages: 2, groups: 1 });
    expect(baoding.children.map((c) => c.key)).toEqual(['village-21', 'village-22']);
    expect(district.children.find((c) => c.name === '新镇')!.children).toEqual([]);
    expect(countsText(district)).toBe('3 个镇街、3 个村社、3 个村民小组');
    expect(countsText(baoding)).toBe('2 个村社、1 个村民小组');
    expect(countsText(baoding.children[0])).toBe('1 个村民小组');
    expect(countsText(baoding.children[0].children[0])).toBe('');
  });

  it('roots a town officer at the town when the district is not sent', () => {
    const roots = buildOrgTree({ districts: [], towns: [n(10, 1)], villages: [n(11, 10)], groups: [n(111, 11)] });
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ level: 'town', counts: { villages: 1, groups: 1 } });
  });
});
