import { describe, expect, it } from 'vitest';
import { allPages, inspectionHouseholds, inspectionOnly } from '../src/console/inspection';

describe('inspectionOnly', () => {
  it('keeps the items the inspection group (G) records, whatever the other letters', () => {
    const items = [
      { code: 'DE-01', recorders: 'G' },
      { code: 'ML-02', recorders: 'C,G,S' },
      { code: 'PA-06', recorders: 'C' },
      { code: 'DE-02', recorders: 'O, S' },
      { code: 'XX-01', recorders: 'C, G' },
    ];
    expect(inspectionOnly(items).map((i) => i.code)).toEqual(['DE-01', 'ML-02', 'XX-01']);
  });

  it('drops items without recorders (an older server) rather than offering what would be refused', () => {
    expect(inspectionOnly([{ code: 'A', recorders: null }, { code: 'B' }])).toEqual([]);
  });
});

describe('allPages', () => {
  const list = Array.from({ length: 230 }, (_, i) => i);
  const pager = (asked: number[]) => async (page: number) => {
    asked.push(page);
    return { items: list.slice((page - 1) * 100, page * 100), total: list.length };
  };
  it('reads past the first 100 households until the total', async () => {
    const asked: number[] = [];
    expect(await allPages(pager(asked))).toEqual(list);
    expect(asked).toEqual([1, 2, 3]);
  });
  it('stops on an empty page even if the total said more (households removed meanwhile)', async () => {
    const asked: number[] = [];
    const got = await allPages(async (page) => {
      asked.push(page);
      return { items: page === 1 ? [1, 2] : [], total: 5 };
    });
    expect(got).toEqual([1, 2]);
    expect(asked).toEqual([1, 2]);
  });
});

describe('inspectionHouseholds', () => {
  it('keeps every household, several scores each, and drops unfinished score lines', () => {
    const body = inspectionHouseholds([
      {
        householdId: 1,
        scores: [
          { itemCode: 'DE-01', points: 5, photoIds: [] },
          { itemCode: 'ML-02', points: 2, photoIds: [7, 8] },
          { itemCode: '', points: null, photoIds: [] },
        ],
      },
      { householdId: 2, scores: [{ itemCode: 'ML-06', points: null, photoIds: [] }] },
      { householdId: 3, scores: [] },
    ]);
    expect(body).toEqual([
      {
        householdId: 1,
        scores: [
          { itemCode: 'DE-01', points: 5, photoIds: [] },
          { itemCode: 'ML-02', points: 2, photoIds: [7, 8] },
        ],
      },
      { householdId: 2, scores: [] },
      { householdId: 3, scores: [] },
    ]);
  });
});
