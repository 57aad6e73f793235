import { describe, expect, it } from 'vitest';
import { dayCell, monthGrid, shiftMonth, weekdayOf, workingDaysIn, type DistrictCalendar } from '../src/console/calendar';

// Part of the national table (crates/aidazu-domain/src/calendar/china.rs): National Day 2026.
const national: DistrictCalendar = {
  districtId: 1,
  holidays: [],
  workingDays: [],
  nationalHolidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  nationalWorkingDays: ['2026-09-20', '2026-10-10'],
};

describe('monthGrid (D3 working-day calendar)', () => {
  it('lays a month out in Monday-first weeks with the neighbouring days marked', () => {
    // 1 Oct 2026 is a Thursday; 31 Oct a Saturday: five weeks, 28 Sep to 1 Nov.
    const weeks = monthGrid(2026, 10, national);
    expect(weeks).toHaveLength(5);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks[0][0]).toMatchObject({ date: '2026-09-28', inMonth: false, weekday: 1 });
    expect(weeks[0][3]).toMatchObject({ date: '2026-10-01', inMonth: true, day: 1 });
    expect(weeks[4][6]).toMatchObject({ date: '2026-11-01', inMonth: false, weekday: 7 });
    // February 2027 starts on a Monday and has exactly four weeks.
    expect(monthGrid(2027, 2, national)).toHaveLength(4);
  });

  it('marks national holidays, make-up working days and weekends', () => {
    expect(dayCell('2026-10-01', national)).toMatchObject({ kind: 'national_holiday', working: false });
    expect(dayCell('2026-10-10', national)).toMatchObject({ kind: 'national_makeup', working: true, weekday: 6 });
    expect(dayCell('2026-10-11', national)).toMatchObject({ kind: 'weekend', working: false });
    expect(dayCell('2026-10-08', national)).toMatchObject({ kind: 'workday', working: true });
  });

  it('lays the district days over the national ones, as the server does', () => {
    const local = { ...national, holidays: ['2026-10-08'], workingDays: ['2026-10-03', '2026-10-05'] };
    expect(dayCell('2026-10-08', local)).toMatchObject({ kind: 'local_holiday', working: false, nationalKind: 'workday', local: 'holiday' });
    // A local working day on a weekend and on a national holiday.
    expect(dayCell('2026-10-03', local)).toMatchObject({ kind: 'local_working', working: true, nationalKind: 'weekend' });
    expect(dayCell('2026-10-05', local)).toMatchObject({ kind: 'local_working', working: true, nationalKind: 'national_holiday' });
    // October 2026: 22 weekdays − 5 holidays + 1 make-up Saturday = 18; then −1 +2.
    expect(workingDaysIn(2026, 10, national)).toBe(18);
    expect(workingDaysIn(2026, 10, local)).toBe(19);
  });

  it('works without the national lists (an older server): weekends only', () => {
    expect(dayCell('2026-10-01', { districtId: 1, holidays: [], workingDays: [] }).kind).toBe('workday');
  });

  it('moves across years', () => {
    expect(shiftMonth(2026, 12, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth(2026, 1, -1)).toEqual({ year: 2025, month: 12 });
    expect(shiftMonth(2026, 5, -17)).toEqual({ year: 2024, month: 12 });
    expect(weekdayOf('2026-12-06')).toBe(7);
  });
});
