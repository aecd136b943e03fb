// Time source for the simulator: real by default, a controllable fake in tests (throttle refill, bulk timestamps).
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function createFakeClock(start = Date.parse("2026-04-01T00:00:00Z")): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
  };
}

export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
