import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { AnminError } from '../util/errors.js';

/** An 8-bit grayscale image, row-major, `height` rows of `width` pixels. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * Reads a PNG, JPEG or binary/plain PGM as grayscale. Colour becomes ITU-R BT.601 luma with PIL's
 * fixed-point rounding (`convert('L')`), which is how the BSDS gray images were made.
 */
export function readGrayImage(path: string): GrayImage {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new AnminError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    if (buf[0] === 0x89 && buf[1] === 0x50) {
      const png = PNG.sync.read(buf);
      return fromRgba(png.width, png.height, png.data);
    }
    if (buf[0] === 0xff && buf[1] === 0xd8) {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return fromRgba(img.width, img.height, img.data);
    }
    if (buf[0] === 0x50 && (buf[1] === 0x35 || buf[1] === 0x32)) return readPgm(buf);
  } catch (e) {
    if (e instanceof AnminError) throw e;
    throw new AnminError(`${path}: unreadable image (${(e as Error).message})`);
  }
  throw new AnminError(`${path}: not a PNG, JPEG or PGM image`);
}

function fromRgba(width: number, height: number, rgba: Uint8Array): GrayImage {
  const pixels = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < pixels.length; i++, j += 4) {
    pixels[i] = (rgba[j] * 19595 + rgba[j + 1] * 38470 + rgba[j + 2] * 7471 + 0x8000) >>> 16;
  }
  return { width, height, pixels };
}

/** Netpbm gray map: header tokens (with # comments), then 8-bit binary (P5) or ASCII (P2) samples. */
function readPgm(buf: Buffer): GrayImage {
  const tokens: string[] = [];
  let i = 0;
  const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  while (tokens.length < 4 && i < buf.length) {
    while (i < buf.length && isSpace(buf[i])) i++;
    if (buf[i] === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
      continue;
    }
    const start = i;
    while (i < buf.length && !isSpace(buf[i])) i++;
    tokens.push(buf.toString('latin1', start, i));
  }
  const [magic, w, h, max] = [tokens[0], Number(tokens[1]), Number(tokens[2]), Number(tokens[3])];
  if (!(w > 0 && h > 0 && max > 0 && max < 256)) throw new Error('bad PGM header (8-bit only)');
  const pixels = new Uint8Array(w * h);
  if (magic === 'P5') {
    const body = buf.subarray(i + 1, i + 1 + w * h);
    if (body.length !== w * h) throw new Error(`PGM body has ${body.length} of ${w * h} bytes`);
    pixels.set(body);
  } else {
    const vals = buf.toString('latin1', i).trim().split(/\s+/).map(Number);
    if (vals.length !== w * h) throw new Error(`PGM body has ${vals.length} of ${w * h} samples`);
    pixels.set(vals);
  }
  if (max !== 255) for (let k = 0; k < pixels.length; k++) pixels[k] = Math.round((pixels[k] * 255) / max);
  return { width: w, height: h, pixels };
}
