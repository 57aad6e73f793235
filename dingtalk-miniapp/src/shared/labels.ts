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

/** Ledger entry kinds (R12) as the API sends them. */
export const ENTRY_KIND_LABEL: Record<string, string> = {
  award: '加分',
  penalty: '扣分',
  correction: '更正',
  redeem: '兑换',
  refund: '退还',
  year_close: '年度清零',
};

/** Channels a change arrived through (R22). */
export const CHANNEL_LABEL: Record<string, string> = {
  mini_app: '微应用',
  console: '管理后台',
  dingtalk_approval: '钉钉审批',
  card: '钉钉卡片',
  job: '系统定时任务',
  dingtalk_event: '钉钉通讯录',
};
