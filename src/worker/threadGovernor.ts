/**
 * The calibrated thread counts hold for the machine as it was when they were measured. On a busy laptop (a build,
 * a test run, a browser tab spinning) a thread that waits for a core stalls the others at every barrier of every
 * decode: with one busy loop on this 2-core machine, 16-token prompt slices ran at 21 tok/s on 2 threads against
 * 144 on one (a probe on the 0.4B proxy, 2026-12-01). So each phase keeps a running speed for its calibrated count
 * and for one thread, uses the faster, and now and then spends a short probe on the other to notice when the
 * machine has changed.
 *
 * Pure (the clock is passed in), so the decisions can be tested on recorded timings.
 */

export type Phase = 'batch' | 'generation';

/**
 * A probe of the other count this long after the last one; the wait doubles while probes confirm the choice (a
 * quiet machine pays for a few slow tokens twice a minute) and starts over after a change.
 */
export const PROBE_EVERY_MS = 4000;
export const MAX_PROBE_EVERY_MS = 32_000;
/** Decodes in one probe: a generation probe is a few tokens, a batch probe one slice. */
const PROBE_DECODES: Record<Phase, number> = { batch: 1, generation: 4 };
/** The weight of the newest measurement in a running speed. */
const ALPHA = 0.35;
/** One thread must be this much faster to take over (timings are noisy); the calibrated count wins ties. */
const SWITCH_DOWN = 1.15;

interface PhaseState {
  preferred: number;
  active: number;
  /** tok/ms per thread count, from live decodes. */
  speed: Map<number, number>;
  lastProbeAt: number;
  probeEveryMs: number;
  probing: number;
  probeLeft: number;
}

export interface GovernorEvent {
  phase: Phase;
  from: number;
  to: number;
  speeds: Record<number, number>;
}

export class ThreadGovernor {
  private readonly phases: Record<Phase, PhaseState>;
  /** Changes of the active count, newest last (the worker logs them; tests read them). */
  readonly changes: GovernorEvent[] = [];
  /** Every change, counted (the list keeps the last 50). */
  switches = 0;

  /**
   * `priors`: speeds (tok/ms) per thread count from the calibration, where there was one: with them a collapse of
   * the calibrated count is caught within a few decodes instead of at the first probe.
   */
  constructor(
    preferred: Record<Phase, number>,
    private readonly onChange?: (event: GovernorEvent) => void,
    priors: Partial<Record<Phase, Record<number, number>>> = {},
  ) {
    const state = (phase: Phase): PhaseState => ({
      preferred: preferred[phase], active: preferred[phase], lastProbeAt: 0, probeEveryMs: PROBE_EVERY_MS, probing: 0, probeLeft: 0,
      speed: new Map(Object.entries(priors[phase] ?? {}).filter(([, v]) => v > 0).map(([t, v]) => [Number(t), v])),
    });
    this.phases = { batch: state('batch'), generation: state('generation') };
  }

  /** The count for the next decode of `phase`. */
  threadsFor(phase: Phase, now: number): number {
    const s = this.phases[phase];
    if (s.preferred <= 1) return s.preferred;
    if (s.probeLeft > 0) return s.probing;
    if (s.lastProbeAt === 0) s.lastProbeAt = now;
    if (now - s.lastProbeAt >= s.probeEveryMs) {
      s.probing = s.active === s.preferred ? 1 : s.preferred;
      s.probeLeft = PROBE_DECODES[phase];
      s.lastProbeAt = now;
      return s.probing;
    }
    return s.active;
  }

  /** A decode of `tokens` on `threads` threads took `ms`. */
  record(phase: Phase, threads: number, tokens: number, ms: number): void {
    const s = this.phases[phase];
    if (s.preferred <= 1 || tokens <= 0 || ms <= 0) return;
    const rate = tokens / ms;
    const previous = s.speed.get(threads);
    s.speed.set(threads, previous === undefined ? rate : previous + ALPHA * (rate - previous));
    const probeEnded = s.probeLeft > 0 && threads === s.probing && --s.probeLeft === 0;
    const preferredSpeed = s.speed.get(s.preferred);
    const oneSpeed = s.speed.get(1);
    if (preferredSpeed === undefined || oneSpeed === undefined) return;
    const next = oneSpeed > preferredSpeed * SWITCH_DOWN ? 1 : s.preferred;
    if (next === s.active) {
      if (probeEnded) s.probeEveryMs = Math.min(MAX_PROBE_EVERY_MS, s.probeEveryMs * 2);
    } else {
      s.probeEveryMs = PROBE_EVERY_MS;
      const event = { phase, from: s.active, to: next, speeds: Object.fromEntries(s.speed) };
      s.active = next;
      this.switches++;
      this.changes.push(event);
      if (this.changes.length > 50) this.changes.shift();
      this.onChange?.(event);
    }
  }

  /** The count a phase uses between probes. */
  active(phase: Phase): number {
    return this.phases[phase].active;
  }
}
