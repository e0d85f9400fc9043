/**
 * A minimal client-go workqueue: keys are de-duplicated while waiting, one key is never processed
 * twice at once, and a key added while it is being processed runs again afterwards. `drain()`
 * resolves once nothing is queued or running (tests use it to wait for controllers).
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly dirtyWhileRunning = new Set<string>();
  private running: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void = () => {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.running === key) this.dirtyWhileRunning.add(key);
    else this.queued.add(key);
    if (!this.loop) this.loop = this.run().finally(() => (this.loop = undefined));
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    while (this.queued.size > 0 && !this.stopped) {
      const key = this.queued.values().next().value as string;
      this.queued.delete(key);
      this.running = key;
      try {
        await this.process(key);
      } catch (err) {
        this.onError(key, err);
      } finally {
        this.running = undefined;
      }
      if (this.dirtyWhileRunning.delete(key)) this.queued.add(key);
    }
  }

  async drain(): Promise<void> {
    while (this.loop) await this.loop;
  }

  stop(): void {
    this.stopped = true;
    this.queued.clear();
  }
}
