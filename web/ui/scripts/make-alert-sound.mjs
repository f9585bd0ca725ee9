// Writes the alert chime (public/sounds/alert.wav) from code, so it can be remade byte for
// byte without a sound editor: two short sine notes (E6 then A6) with soft edges, 16-bit mono
// PCM at 16 kHz, about half a second and a few KB.
// Run (from web/ui): node scripts/make-alert-sound.mjs
import { mkdirSync, writeFileSync } from 'node:fs';

const RATE = 16000;
const NOTES = [
  { hz: 1318.5, start: 0.0, length: 0.18 },
  { hz: 1760.0, start: 0.2, length: 0.28 },
];
const TOTAL = 0.5; // seconds
const PEAK = 0.6; // of full scale: clear on a tablet speaker without clipping

const samples = new Int16Array(Math.round(RATE * TOTAL));
for (const n of NOTES) {
  const first = Math.round(n.start * RATE);
  const count = Math.round(n.length * RATE);
  const edge = Math.round(0.012 * RATE); // 12 ms fade in, then an exponential decay
  for (let i = 0; i < count && first + i < samples.length; i++) {
    const t = i / RATE;
    const attack = Math.min(1, i / edge);
    const release = Math.min(1, (count - i) / edge);
    const decay = Math.exp(-t * 6);
    const v = Math.sin(2 * Math.PI * n.hz * t) * PEAK * attack * release * decay;
    samples[first + i] = Math.max(-32767, Math.min(32767, samples[first + i] + Math.round(v * 32767)));
  }
}

const data = Buffer.from(samples.buffer);
const header = Buffer.alloc(44);
header.write('RIFF', 0, 'ascii');
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8, 'ascii');
header.write('fmt ', 12, 'ascii');
header.writeUInt32LE(16, 16); // PCM chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE * 2, 28); // bytes per second
header.writeUInt16LE(2, 32); // block align
header.writeUInt16LE(16, 34); // bits per sample
header.write('data', 36, 'ascii');
header.writeUInt32LE(data.length, 40);

const dir = new URL('../public/sounds/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('alert.wav', dir), Buffer.concat([header, data]));
console.log(`wrote public/sounds/alert.wav (${44 + data.length} bytes)`);
