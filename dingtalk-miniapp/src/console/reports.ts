// The statistics and fairness reports of the API (issue 12): tables with a row per village. Pure
// helpers the dashboard charts read, unit-tested in tests/reports.test.ts.
import type { Profile } from '../shared/session';

export type Cell = number | string;

export interface Section {
  key: string;
  title: string;
  explanation: string;
  columns: string[];
  rows: Cell[][];
}

export interface AreaReport {
  period: string;
  from: string;
  to: string;
  villages: { id: number; code: string; name: string; townName: string }[];
  sections: Section[];
}

/** The area an officer's grant covers: a town or the district; null for everyone else. */
export function officerArea(profile: Profile | null): { param: string; label: string } | null {
  const grant = profile?.roles.find((r) => r.role === 'district_officer') ?? profile?.roles.find((r) => r.role === 'town_officer');
  if (!grant) return null;
  return grant.role === 'district_officer'
    ? { param: `districtId=${grant.scopeId}`, label: '全区' }
    : { param: `townId=${grant.scopeId}`, label: '本镇街' };
}

/** Periods to choose from: the points-year of `year`, its quarters, and the year before. */
export function periodChoices(year: number): { value: string; label: string }[] {
  const out = [{ value: String(year), label: `${year} 年度` }];
  for (let q = 1; q <= 4; q++) out.push({ value: `${year}-Q${q}`, label: `${year} 年第${'一二三四'[q - 1]}季度` });
  out.push({ value: String(year - 1), label: `${year - 1} 年度` });
  return out;
}

/** The numbers of column `name` of a section, one per row (0 for a text such as "—"). */
export function column(section: Section | undefined, name: string): number[] {
  if (!section) return [];
  const i = section.columns.indexOf(name);
  if (i < 0) return [];
  return section.rows.map((r) => (typeof r[i] === 'number' ? (r[i] as number) : 0));
}

/** The first cell of each row (the village's name). */
export function rowLabels(section: Section | undefined): string[] {
  return section ? section.rows.map((r) => String(r[0])) : [];
}

/** Sum of column `name` per village (sections with several rows per village, e.g. by category). */
export function sumByVillage(section: Section | undefined, name: string, villages: string[], filter?: (row: Cell[]) => boolean): number[] {
  if (!section) return villages.map(() => 0);
  const i = section.columns.indexOf(name);
  return villages.map((v) =>
    section.rows
      .filter((r) => r[0] === v && (!filter || filter(r)))
      .reduce((s, r) => s + (typeof r[i] === 'number' ? (r[i] as number) : 0), 0),
  );
}

export function sectionOf(report: AreaReport | null, key: string): Section | undefined {
  return report?.sections.find((s) => s.key === key);
}
