import { describe, expect, it } from 'vitest';
import { PublicationSummary, latestPerQuarter, objectionWindowOpen, shanghaiToday } from '../src/shared/publications';
import { isTownOfficer, isVillageCommittee } from '../src/console/scope';

function pub(quarter: string, version: number, publishedOn = '2026-10-09', objectionLastDay = '2026-10-16'): PublicationSummary {
  return {
    id: version,
    villageId: 1,
    quarter,
    version,
    amended: version > 1,
    digest: 'x',
    publishedOn,
    objectionLastDay,
    households: 3,
    averageScore: '1.00',
    boardUrl: '',
    posterUrl: '',
    xlsxUrl: '',
  };
}

describe('publications', () => {
  it('business dates are Asia/Shanghai: 17:00 UTC is the next day there', () => {
    expect(shanghaiToday(Date.parse('2026-10-08T17:00:00Z'))).toBe('2026-10-09');
    expect(shanghaiToday(Date.parse('2026-10-08T15:59:00Z'))).toBe('2026-10-08');
  });

  it('the objection window runs from the publication day to its last day, both included (R17)', () => {
    const p = pub('2026-Q3', 1);
    expect(objectionWindowOpen(p, '2026-10-08')).toBe(false);
    expect(objectionWindowOpen(p, '2026-10-09')).toBe(true);
    expect(objectionWindowOpen(p, '2026-10-16')).toBe(true);
    expect(objectionWindowOpen(p, '2026-10-17')).toBe(false);
  });

  it('an amended board replaces the first version of its quarter; newest quarter first', () => {
    const list = latestPerQuarter([pub('2026-Q3', 2), pub('2026-Q3', 1), pub('2026-Q2', 1)]);
    expect(list.map((p) => `${p.quarter}v${p.version}`)).toEqual(['2026-Q3v2', '2026-Q2v1']);
  });
});

describe('console scope for the quarterly cycle', () => {
  const profile = (role: string, scopeLevel: string, scopeId: number) => ({
    name: 'x',
    member: null,
    household: null,
    accountId: 1,
    roles: [{ role, scopeLevel, scopeId }],
  });

  it('only the village committee of that village decides and nominates; town officers decide escalations', () => {
    expect(isVillageCommittee(profile('village_committee', 'village', 1), 1)).toBe(true);
    expect(isVillageCommittee(profile('village_committee', 'village', 1), 2)).toBe(false);
    expect(isVillageCommittee(profile('village_admin', 'village', 1), 1)).toBe(false);
    expect(isTownOfficer(profile('town_officer', 'town', 1))).toBe(true);
    expect(isTownOfficer(profile('village_committee', 'village', 1))).toBe(false);
  });
});

describe('entry kind labels', () => {
  it('names every ledger kind the API sends in Chinese (R12)', async () => {
    const { ENTRY_KIND_LABEL } = await import('../src/shared/labels');
    for (const kind of ['award', 'penalty', 'correction', 'redeem', 'refund', 'year_close']) {
      expect(ENTRY_KIND_LABEL[kind]).toMatch(/^[\u4e00-\u9fa5]+$/);
    }
  });
});
