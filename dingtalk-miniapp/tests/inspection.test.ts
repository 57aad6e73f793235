import { describe, expect, it } from 'vitest';
import { inspectionOnly } from '../src/console/inspection';

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
