// 工作日历 (D3, issue 12): the month grid of a district's working-day calendar — the national
// calendar (weekday holidays, make-up working days) with the district's own days laid over it,
// as the server does it (`WorkingDays::with_overrides`): a local holiday is never worked, a local
// working day always is. Pure; dates are `YYYY-MM-DD` strings, weeks run Monday to Sunday.

export interface DistrictCalendar {
  districtId: number;
  /** The district's own holidays and working days. */
  holidays: string[];
  workingDays: string[];
  /** The national calendar the server uses (weekday holidays, weekend make-up days). */
  nationalHolidays?: string[];
  nationalWorkingDays?: string[];
}

export type DayKind = 'workday' | 'weekend' | 'national_holiday' | 'national_makeup' | 'local_holiday' | 'local_working';

export interface DayCell {
  date: string;
  day: number;
  inMonth: boolean;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  kind: DayKind;
  working: boolean;
  /** What the national calendar alone says of the day. */
  nationalKind: 'workday' | 'weekend' | 'national_holiday' | 'national_makeup';
  /** What the district says of it, if anything. */
  local: 'holiday' | 'working_day' | null;
}

export const KIND_LABEL: Record<DayKind, string> = {
  workday: '工作日',
  weekend: '周末',
  national_holiday: '法定假日',
  national_makeup: '调休上班',
  local_holiday: '本区放假',
  local_working: '本区上班',
};

export const WEEKDAY_LABEL = ['一', '二', '三', '四', '五', '六', '日'];

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** The month `delta` months from `year`-`month` (1–12). */
export function shiftMonth(year: number, month: number, delta: number): { year: number; month: number } {
  const n = year * 12 + (month - 1) + delta;
  return { year: Math.floor(n / 12), month: (n % 12) + 1 };
}

/** 1 = Monday … 7 = Sunday for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

/** One day as the calendar sees it. */
export function dayCell(date: string, cal: DistrictCalendar, inMonth = true): DayCell {
  const weekday = weekdayOf(date);
  const weekend = weekday >= 6;
  const nationalKind = (cal.nationalWorkingDays ?? []).includes(date)
    ? 'national_makeup'
    : (cal.nationalHolidays ?? []).includes(date)
      ? 'national_holiday'
      : weekend
        ? 'weekend'
        : 'workday';
  const local = cal.holidays.includes(date) ? 'holiday' : cal.workingDays.includes(date) ? 'working_day' : null;
  const kind: DayKind = local === 'holiday' ? 'local_holiday' : local === 'working_day' ? 'local_working' : nationalKind;
  const working = kind === 'workday' || kind === 'national_makeup' || kind === 'local_working';
  return { date, day: Number(date.slice(8)), inMonth, weekday, kind, working, nationalKind, local };
}

/** The weeks (Monday first) covering `year`-`month`, days of the neighbouring months marked out of month. */
export function monthGrid(year: number, month: number, cal: DistrictCalendar): DayCell[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const lead = (first.getUTCDay() + 6) % 7;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells = Math.ceil((lead + days) / 7) * 7;
  const weeks: DayCell[][] = [];
  for (let i = 0; i < cells; i++) {
    const d = new Date(Date.UTC(year, month - 1, 1 - lead + i));
    const cell = dayCell(iso(d), cal, d.getUTCMonth() === month - 1);
    if (i % 7 === 0) weeks.push([]);
    weeks[weeks.length - 1].push(cell);
  }
  return weeks;
}

/** The working days of a month under the calendar (shown beside the month). */
export function workingDaysIn(year: number, month: number, cal: DistrictCalendar): number {
  return monthGrid(year, month, cal)
    .flat()
    .filter((c) => c.inMonth && c.working).length;
}
