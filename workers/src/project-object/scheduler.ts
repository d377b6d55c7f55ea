/**
 * One alarm, many schedules: feature code asks for a kind of work at a time; only the scheduler sets the
 * Durable Object's alarm (to the earliest schedule). Schedules live in SQLite, so they survive eviction.
 */
import { describeError, log } from '../platform/logger.ts';
import type { ScheduleKind, ScheduleStore } from './storage/schedules.ts';

/** How soon a failed alarm write is tried again. */
const RETRY_MS = 1_000;

export class Scheduler {
  private readonly schedules: ScheduleStore;
  private readonly storage: DurableObjectStorage;
  /** The alarm time this object last set (undefined: unknown, read it once). */
  private armed: number | null | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(schedules: ScheduleStore, storage: DurableObjectStorage) {
    this.schedules = schedules;
    this.storage = storage;
  }

  /** Schedules `kind` at `at`, replacing its earlier time. */
  at(kind: ScheduleKind, at: number): void {
    this.schedules.set(kind, Math.floor(at));
    this.arm();
  }

  /** Schedules `kind` at `at` unless it is already due earlier. */
  atLatest(kind: ScheduleKind, at: number): void {
    this.schedules.setEarliest(kind, Math.floor(at));
    this.arm();
  }

  cancel(kind: ScheduleKind): void {
    this.schedules.remove(kind);
    this.arm();
  }

  /** Removes and returns the schedules due at `now`. */
  takeDue(now: number): ScheduleKind[] {
    return this.schedules.takeDue(now);
  }

  /** Call when the alarm fired: the runtime cleared it. */
  fired(): void {
    this.armed = null;
  }

  /** Learns the alarm's current time (once, at wake). */
  async load(): Promise<void> {
    this.armed = await this.storage.getAlarm();
  }

  /** Points the alarm at the earliest schedule (or clears it). */
  arm(): void {
    const next = this.schedules.earliest();
    if (next === this.armed) return;
    this.armed = next;
    // Storage writes are ordered and confirmed before any output leaves the object: no await needed.
    const write = next === null ? this.storage.deleteAlarm() : this.storage.setAlarm(next);
    write.catch((err: unknown) => {
      // Without the alarm the schedules wait in SQLite for the next event: say so, and try again soon.
      this.armed = undefined;
      log.error('alarm write failed; retrying', { ...describeError(err), next });
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.arm();
      }, RETRY_MS);
    });
  }

  /** Forgets everything (the object is being destroyed). */
  reset(): void {
    this.armed = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
  }
}
