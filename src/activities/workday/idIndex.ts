// Finds ids that occur more than once in a stream of (id, line) pairs with memory that stays small
// at a million rows: each id is kept as a 53-bit hash in a typed array (12 bytes a row instead of a
// string in a Map). Equal hashes are only candidates; `confirmRepeats` checks them against the real ids,
// so a hash collision never flags a row that is not a repeat.

/** Two FNV-1a 32-bit hashes with different seeds, combined into one safe integer (53 bits). */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 11) * 0x100000000 + (b >>> 0);
}

export class IdIndex {
  private hashes = new Float64Array(1024);
  private lines = new Uint32Array(1024);
  private count = 0;

  add(id: string, line: number): void {
    if (this.count === this.hashes.length) {
      const hashes = new Float64Array(this.count * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const lines = new Uint32Array(this.count * 2);
      lines.set(this.lines);
      this.lines = lines;
    }
    this.hashes[this.count] = idHash(id);
    this.lines[this.count] = line;
    this.count++;
  }

  /** Lines whose id hash occurs more than once (every occurrence, including the first). */
  candidateLines(): Set<number> {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    order.sort((x, y) => this.hashes[x]! - this.hashes[y]!);
    const lines = new Set<number>();
    for (let i = 1; i < this.count; i++) {
      if (this.hashes[order[i]!] === this.hashes[order[i - 1]!]) {
        lines.add(this.lines[order[i - 1]!]!);
        lines.add(this.lines[order[i]!]!);
      }
    }
    return lines;
  }
}

/**
 * From the real ids of the candidate lines, the later occurrences of each repeated id with the line
 * of its first occurrence, in file order.
 */
export function confirmRepeats(
  candidates: { line: number; id: string }[],
): { line: number; employeeId: string; firstLine: number }[] {
  const first = new Map<string, number>();
  const repeats: { line: number; employeeId: string; firstLine: number }[] = [];
  for (const { line, id } of [...candidates].sort((a, b) => a.line - b.line)) {
    const firstLine = first.get(id);
    if (firstLine === undefined) first.set(id, line);
    else repeats.push({ line, employeeId: id, firstLine });
  }
  return repeats;
}
