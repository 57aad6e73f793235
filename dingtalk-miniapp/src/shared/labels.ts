// Chinese labels for codes the API sends in English.

export const RELATION_LABEL: Record<string, string> = {
  head: '户主',
  spouse: '配偶',
  child: '子女',
  child_in_law: '儿媳/女婿',
  grandchild: '孙辈',
  parent: '父母',
  sibling: '兄弟姐妹',
  other: '其他',
};

export function relation(code: string): string {
  return RELATION_LABEL[code] ?? code;
}

/** `2026-Q4` → `第四季度`. */
export function quarterLabel(quarter: string): string {
  const n = Number(quarter.slice(-1));
  return ['第一季度', '第二季度', '第三季度', '第四季度'][n - 1] ?? quarter;
}
