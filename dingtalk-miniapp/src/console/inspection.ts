// 入户检查 helpers (pure): which catalogue items the inspection group records.

/** Items whose recorders (canonical letters such as `C,G,S`) include the inspection group `G`. */
export function inspectionOnly<T extends { recorders?: string | null }>(items: T[]): T[] {
  return items.filter((i) => (i.recorders ?? '').split(/[,\s]+/).includes('G'));
}
