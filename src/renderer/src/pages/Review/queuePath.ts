// The way back to photos that left the review queue as the editor moved on from them (accepted out of "unreviewed"):
// the queue no longer lists them, so its own neighbours would skip them and Previous would have nowhere to go. Each
// move away from a leaving photo is remembered both ways, so a chain of accepted photos can be walked back and forth.

export class QueuePath {
  private readonly back = new Map<number, number>()
  private readonly forward = new Map<number, number>()

  /** The editor moved on from `from` (which has just left the queue) to `to`. */
  left(from: number, to: number): void {
    this.forward.set(from, to)
    this.back.set(to, from)
  }

  /** Where Previous (or Next) goes from `id` along this path, before the queue's own neighbours; undefined: ask the queue. */
  step(id: number, direction: 'next' | 'previous'): number | undefined {
    return (direction === 'next' ? this.forward : this.back).get(id)
  }
}
