/**
 * Deterministic resource ids shared by every task: RFC 4122 version-4 shaped uuids from a patient's
 * 4 random words and a fixed slot per resource concept, so a resource keeps its id whatever else
 * the patient has. Across patients they are as unique as 122 random bits.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number): string => HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
const hex4 = (n: number): string => HEX[(n >>> 8) & 255]! + HEX[n & 255]!;

/** MurmurHash3 finaliser: a bijection on 32-bit words with good avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** uuid of each slot: each word offset by the slot and mixed, so a patient's uuids are distinct. */
export function uuidFactory(words: readonly [number, number, number, number]): (slot: number) => string {
  const [w0, w1, w2, w3] = words;
  return (slot) => {
    const a = fmix32(w0 + Math.imul(slot, 0x9e3779b9));
    const b = fmix32(w1 + Math.imul(slot, 0x7f4a7c15));
    const c = fmix32(w2 + Math.imul(slot, 0x6a09e667));
    const d = fmix32(w3 + Math.imul(slot, 0xbb67ae85));
    return `${hex8(a)}-${hex4(b >>> 16)}-${HEX[0x40 | ((b >>> 8) & 0x0f)]}${HEX[b & 255]}-${hex4(((c >>> 16) & 0x3fff) | 0x8000)}-${hex4(c)}${hex8(d)}`;
  };
}
