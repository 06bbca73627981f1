/**
 * A binary min-heap of (time, id) pairs: the index by next due time that makes a tick with nothing
 * due O(1) whatever the campaign's size. Ties break on id so the order of work is deterministic.
 */
export class TimeHeap {
  private times: number[] = [];
  private ids: number[] = [];

  get size(): number {
    return this.times.length;
  }

  peekTime(): number {
    return this.times.length ? this.times[0]! : Infinity;
  }

  /** Id of the smallest entry (call only when size > 0). */
  peekId(): number {
    return this.ids[0]!;
  }

  clear(): void {
    this.times.length = 0;
    this.ids.length = 0;
  }

  push(time: number, id: number): void {
    const t = this.times;
    const d = this.ids;
    let i = t.length;
    t.push(time);
    d.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! < time || (t[p] === time && d[p]! <= id)) break;
      t[i] = t[p]!;
      d[i] = d[p]!;
      i = p;
    }
    t[i] = time;
    d[i] = id;
  }

  /** Removes the smallest entry and returns its id (call only when size > 0). */
  pop(): number {
    const t = this.times;
    const d = this.ids;
    const top = d[0]!;
    const lastT = t.pop()!;
    const lastD = d.pop()!;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (t[r]! < t[l]! || (t[r] === t[l] && d[r]! < d[l]!))) c = r;
        if (t[c]! > lastT || (t[c] === lastT && d[c]! >= lastD)) break;
        t[i] = t[c]!;
        d[i] = d[c]!;
        i = c;
      }
      t[i] = lastT;
      d[i] = lastD;
    }
    return top;
  }
}
