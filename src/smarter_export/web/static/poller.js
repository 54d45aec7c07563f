// Calls `tick` again and again: quickly while an export runs, slower and slower while nothing
// does or the service does not answer, at once when asked (a new export, a cancel, the tab
// coming back into view).

export const FAST_MS = 1000;
export const IDLE_FIRST_MS = 4000;
export const SLOWEST_MS = 30000;

export class Poller {
  constructor(tick) {
    this.tick = tick; // async () => "active" | "idle"; a throw counts as a failure
    this.timer = null;
    this.delay = FAST_MS;
    this.stopped = true;
    this.generation = 0;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.stopped) this.now();
    });
  }

  start() {
    this.stopped = false;
    this.generation += 1; // a tick still awaited from before a stop must not schedule again
    this.delay = FAST_MS;
    this.now();
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }

  async now() {
    window.clearTimeout(this.timer);
    if (this.stopped) return;
    const generation = this.generation;
    const slower = Math.max(IDLE_FIRST_MS, Math.min(this.delay * 2, SLOWEST_MS));
    let next = slower;
    try {
      if ((await this.tick()) === "active") next = FAST_MS;
    } catch {
      next = slower; // the service did not answer: back off as when idle
    }
    if (this.stopped || generation !== this.generation) return;
    this.delay = next;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.now(), document.hidden ? SLOWEST_MS : next);
  }

  // After a create or a cancel: watch closely again from now.
  hurry() {
    this.delay = FAST_MS;
    this.now();
  }
}
