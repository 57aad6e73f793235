// Photos are shrunk on the phone before upload (about 1600 px, JPEG q 0.7), then sent as multipart.
import Compressor from 'compressorjs';
import type { ApiClient } from './api';

export interface PhotoDto {
  id: number;
  url: string;
  thumbUrl: string;
  created: boolean;
  sizeBytes: number;
}

export const MAX_PHOTO_EDGE = 1600;

export function shrink(file: File): Promise<Blob> {
  // Not an image: send it as is; the server says why it refuses (photo.not_an_image).
  if (!file.type.startsWith('image/') || file.type === 'image/gif') return Promise.resolve(file);
  return new Promise((resolve) => {
    new Compressor(file, {
      quality: 0.7,
      maxWidth: MAX_PHOTO_EDGE,
      maxHeight: MAX_PHOTO_EDGE,
      mimeType: 'image/jpeg',
      convertSize: 0,
      success: (blob) => resolve(blob.size < file.size ? blob : file),
      // Undecodable: the server gives the Chinese reason.
      error: () => resolve(file),
    });
  });
}

export async function uploadPhoto(api: ApiClient, file: File): Promise<PhotoDto> {
  const blob = await shrink(file);
  const form = new FormData();
  const name = file.name.replace(/\.[^.]*$/, '') + (blob === file ? '' : '.jpg');
  form.append('file', blob, name || 'photo.jpg');
  return api.post<PhotoDto>('/api/v1/photos', undefined, { form });
}
