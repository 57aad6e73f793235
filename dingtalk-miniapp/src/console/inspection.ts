// 入户检查 helpers (pure): which catalogue items the inspection group records, every page of a
// paged list, and the request body from the screen's lines.

/** Items whose recorders (canonical letters such as `C,G,S`) include the inspection group `G`. */
export function inspectionOnly<T extends { recorders?: string | null }>(items: T[]): T[] {
  return items.filter((i) => (i.recorders ?? '').split(/[,\s]+/).includes('G'));
}

/** Every item of a paged list (`perPage` at most 100 on the API), page after page until `total`. */
export async function allPages<T>(
  fetchPage: (page: number) => Promise<{ items: T[]; total: number }>,
  maxPages = 1000,
): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const { items, total } = await fetchPage(page);
    out.push(...items);
    if (!items.length || out.length >= total) break;
  }
  return out;
}

export interface ScoreLine {
  itemCode: string;
  points: number | null;
  photoIds: number[];
}
export interface HouseholdLine {
  householdId: number;
  scores: ScoreLine[];
}

/** The request's households: every household once; only the scores with an item and points. */
export function inspectionHouseholds(lines: HouseholdLine[]) {
  return lines.map((l) => ({
    householdId: l.householdId,
    scores: l.scores
      .filter((s) => s.itemCode && s.points !== null)
      .map((s) => ({ itemCode: s.itemCode, points: s.points as number, photoIds: s.photoIds })),
  }));
}
