import { describe, expect, it } from 'vitest';
import { Section, column, officerArea, periodChoices, rowLabels, sumByVillage } from '../src/console/reports';
import type { Profile } from '../src/shared/session';

const profile = (role: string, scopeLevel: string, scopeId: number): Profile =>
  ({ name: 'x', member: null, household: null, roles: [{ role, scopeLevel, scopeId }], accountId: 1 }) as unknown as Profile;

const categories: Section = {
  key: 'points_by_category',
  title: '分类积分',
  explanation: '',
  columns: ['村社', '类别', '清单', '条数', '积分'],
  rows: [
    ['和平村', '美丽建设', '正面清单', 2, 40],
    ['和平村', '道德建设', '正面清单', 1, 5],
    ['和平村', '美丽建设', '负面清单', 2, -10],
    ['慈航社区', '平安建设', '正面清单', 1, 3],
  ],
};

describe('dashboard reports', () => {
  it('the dashboard area follows the officer grant; villages and admins get none', () => {
    expect(officerArea(profile('district_officer', 'district', 1))).toEqual({ param: 'districtId=1', label: '全区' });
    expect(officerArea(profile('town_officer', 'town', 3))).toEqual({ param: 'townId=3', label: '本镇街' });
    expect(officerArea(profile('village_admin', 'village', 9))).toBeNull();
    expect(officerArea(null)).toBeNull();
  });

  it('periods offer the year, its four quarters and the year before', () => {
    expect(periodChoices(2026).map((p) => p.value)).toEqual(['2026', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4', '2025']);
  });

  it('columns and per-village sums read the tables', () => {
    const latency: Section = { key: 'l', title: '', explanation: '', columns: ['村社', '中位用时（小时）'], rows: [['和平村', 30], ['慈航社区', '—']] };
    expect(column(latency, '中位用时（小时）')).toEqual([30, 0]);
    expect(column(latency, '没有')).toEqual([]);
    expect(rowLabels(latency)).toEqual(['和平村', '慈航社区']);
    const villages = ['和平村', '慈航社区'];
    expect(sumByVillage(categories, '积分', villages, (r) => r[2] === '正面清单')).toEqual([45, 3]);
    expect(sumByVillage(categories, '积分', villages, (r) => r[2] === '负面清单')).toEqual([-10, 0]);
  });
});
