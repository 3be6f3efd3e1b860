/** A Team member for the tests: marks its slot, or fails. */
export class Marker {
  constructor(private readonly s: { marks: Int32Array }, private readonly thread: number) {}

  mark(): void {
    Atomics.add(this.s.marks, this.thread, 1);
  }

  boom(): void {
    if (this.thread > 0) throw new Error('helper failure for the test');
  }
}
