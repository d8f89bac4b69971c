// Plate pictures pushed by cameras, stored flat under imageDir and served by the camera server
// as /images/<file>. File names are generated here, never taken from the camera.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SAFE = /^[A-Za-z0-9_.-]+\.(jpg|png)$/;

export class ImageStore {
  private made = false;
  constructor(readonly dir: string) {}

  async save(cameraId: string, data: Buffer, time = Date.now()): Promise<{ file: string; url: string }> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    const ext = data[0] === 0x89 && data[1] === 0x50 ? 'png' : 'jpg';
    const file = `${cameraId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${time}-${randomBytes(3).toString('hex')}.${ext}`;
    await writeFile(join(this.dir, file), data);
    return { file, url: `/images/${file}` };
  }

  /** undefined for names that are not ours (path tricks included) or missing files */
  async read(file: string): Promise<Buffer | undefined> {
    if (!SAFE.test(file) || file.includes('..')) return undefined;
    try {
      return await readFile(join(this.dir, file));
    } catch {
      return undefined;
    }
  }
}
