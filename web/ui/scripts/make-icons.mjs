// Writes the PWA icons (public/icons/*.png) from code, so they can be remade byte for byte
// without an image editor: a white "M" drawn as a thick polyline on Mend's teal.
// Run: npm run icons
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [0x0f, 0x4c, 0x5c];
const FG = [0xff, 0xff, 0xff];
// The "M", in units of the icon's side.
const STROKE = [[0.28, 0.72], [0.28, 0.3], [0.5, 0.56], [0.72, 0.3], [0.72, 0.72]];
const HALF_WIDTH = 0.055;

function crcTable() {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
const CRC = crcTable();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// maskable: full-bleed background and the glyph shrunk into the 80 % safe circle.
// Otherwise: a rounded square with transparent corners.
function draw(size, maskable) {
  const out = Buffer.alloc(size * size * 4);
  const scale = maskable ? 0.8 : 1;
  const samples = 4; // 4x4 supersampling for smooth edges
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let bg = 0, fg = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const u = (x + (sx + 0.5) / samples) / size;
          const v = (y + (sy + 0.5) / samples) / size;
          const r = 0.18;
          const cx = Math.min(Math.max(u, r), 1 - r), cy = Math.min(Math.max(v, r), 1 - r);
          const inside = maskable || Math.hypot(u - cx, v - cy) <= r;
          if (!inside) continue;
          const gu = 0.5 + (u - 0.5) / scale, gv = 0.5 + (v - 0.5) / scale;
          let d = Infinity;
          for (let i = 0; i + 1 < STROKE.length; i++) d = Math.min(d, distToSegment(gu, gv, STROKE[i], STROKE[i + 1]));
          if (d <= HALF_WIDTH) fg++; else bg++;
        }
      }
      const n = samples * samples, cover = bg + fg, o = (y * size + x) * 4;
      if (cover === 0) continue;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round((BG[c] * bg + FG[c] * fg) / cover);
      out[o + 3] = Math.round((255 * cover) / n);
    }
  }
  return png(size, out);
}

const dir = new URL('../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
]) {
  writeFileSync(new URL(name, dir), draw(size, maskable));
  console.log('wrote public/icons/' + name);
}
