// 目录调整 (R7): what the village page and the district's 区模板调整 page share — the change
// request as the API sends it, its states in Chinese, and the draft body built from the form rows.

export interface Change {
  id: number;
  districtId: number;
  /** `null` for a change of the district's template. */
  villageId: number | null;
  status: string;
  reason: string;
  summary: string[];
  itemCount: number;
  baseVersion: number;
  approvalInstanceId: string | null;
  decisionReason: string | null;
  effectiveFrom: string | null;
  version: number | null;
  createdAt: string;
}

export interface CatalogueItem {
  code: string;
  title: string;
  points: { min: number; max: number; range: boolean };
}

export interface Row {
  op: 'revalue' | 'retire' | 'add';
  code: string;
  points: number | null;
  title: string;
  direction: 'positive' | 'negative';
}

export const STATUS: Record<string, string> = {
  draft: '草稿',
  submitted: '待区级审批',
  approved: '已批准',
  rejected: '已退回',
  withdrawn: '已撤回',
};

export const statusLabel = (status: string) => STATUS[status] ?? status;

export const emptyRow = (): Row => ({ op: 'revalue', code: '', points: null, title: '', direction: 'positive' });

export const pointsText = (i: CatalogueItem) => (i.points.range ? `${i.points.min}～${i.points.max}` : `${i.points.max}`);

/** The draft request body: each row as the API reads it (the server checks bounds and items). */
export function draftBody(reason: string, rows: Row[]) {
  return {
    reason,
    changes: rows.map((r) => {
      if (r.op === 'retire') return { op: 'retire', code: r.code.trim() };
      if (r.op === 'revalue') return { op: 'revalue', code: r.code.trim(), points: r.points };
      return { op: 'add', code: r.code.trim(), title: r.title, direction: r.direction, points: r.points };
    }),
  };
}
