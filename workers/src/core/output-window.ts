/**
 * A command's output as its outcome keeps it: all of it up to a limit; beyond that its head and its tail
 * with a line saying how much was left out between them. Not the tail alone: a test runner may print
 * its failure early (the first error, a failing test among hundreds of passing ones), and the failure
 * excerpt the fixer reads (`agents/failure-excerpt.ts`) finds it in either part.
 */
export class OutputWindow {
  private head = '';
  private tail = '';
  private omitted = 0;

  private readonly limit: number;

  /** `limit`: the characters kept at most, half for the head and half for the tail. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Adds a chunk of output. */
  push(data: string): void {
    const half = Math.floor(this.limit / 2);
    let rest = data;
    if (this.head.length < half && this.tail === '') {
      const room = half - this.head.length;
      this.head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest === '') return;
    this.tail += rest;
    if (this.tail.length > half) {
      this.omitted += this.tail.length - half;
      this.tail = this.tail.slice(-half);
    }
  }

  /** The output kept: whole, or head, a line on what was left out, tail. */
  text(): string {
    if (this.omitted === 0) return this.head + this.tail;
    return `${this.head}\n[... ${this.omitted} characters of output left out ...]\n${this.tail}`;
  }
}
