// Quarterly publications (R16) and objections (R17) as the API sends them, shared by both apps.

export interface BoardRow {
  rank: number;
  householdCode: string;
  name: string;
  quarterPoints: number;
  score: number;
  balance: number;
}

export interface PublicationSummary {
  id: number;
  villageId: number;
  quarter: string;
  version: number;
  amended: boolean;
  digest: string;
  publishedOn: string;
  objectionLastDay: string;
  households: number;
  averageScore: string | null;
  boardUrl: string;
  posterUrl: string;
  xlsxUrl: string;
}

export interface MyPublication extends PublicationSummary {
  mine: BoardRow | null;
}

export interface Publication extends PublicationSummary {
  villageName: string;
  committee: string;
  quarterFirstDay: string;
  quarterLastDay: string;
  rows: BoardRow[];
  howToObject: string;
}

export interface ObjectionDecision {
  reason: string;
  byAccountId: number;
  at: string;
}

export interface Objection {
  id: number;
  villageId: number;
  quarter: string;
  publicationId: number;
  raisedByMemberId: number;
  raisedByHouseholdId: number;
  aboutHouseholdId: number;
  entryId: number | null;
  text: string;
  photoIds: number[];
  filedOn: string;
  state: string;
  stateLabel: string;
  correction: number | null;
  correctionEntryId: number | null;
  committeeDecision: ObjectionDecision | null;
  townDecision: ObjectionDecision | null;
  committeeDue: string;
  townDue: string | null;
  amendedVersion: number | null;
}

/** Today in Asia/Shanghai as `YYYY-MM-DD` (business dates). */
export function shanghaiToday(now: number = Date.now()): string {
  return new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Whether objections may be filed against this publication today (R17: published on … last day). */
export function objectionWindowOpen(p: PublicationSummary, today: string = shanghaiToday()): boolean {
  return p.publishedOn <= today && today <= p.objectionLastDay;
}

/** A committee rejection may go to the town; the server decides whether its 3 days have passed (D3). */
export function mayEscalate(o: Objection): boolean {
  return o.state === 'rejected';
}

/** The latest version of each quarter (an amended board replaces the first one), newest quarter first. */
export function latestPerQuarter<T extends PublicationSummary>(list: T[]): T[] {
  const best = new Map<string, T>();
  for (const p of list) {
    const seen = best.get(p.quarter);
    if (!seen || p.version > seen.version) best.set(p.quarter, p);
  }
  return [...best.values()].sort((a, b) => (a.quarter < b.quarter ? 1 : -1));
}
