import type { ApiClient } from '../shared/api';

/** Saves a file the API answers only with our token (a spreadsheet export) under `name`. */
export async function download(api: ApiClient, path: string, name: string): Promise<void> {
  const url = await api.blobUrl(path);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
