/** What the completion pipeline counts: the benchmark reports these, the integration tests assert on them. */

export interface CompletionCounters {
  provideCalls: number;
  /** Generation requests sent to the engine (warm-ups not included). */
  requests: number;
  /** Answered from the cache (a suggestion, or a remembered "nothing here") without the model. */
  cacheHits: number;
  shown: number;
  cancelled: number;
  /** Answers post-processing turned into nothing. */
  empty: number;
  stale: number;
  errors: number;
  accepted: number;
  warmups: number;
  /** Of the warm-ups, those for a place the cursor jumped to. */
  placeWarmups: number;
  /** Engine requests not settled yet (a superseded one settles within ~100 ms). */
  inFlight: number;
  /** Requests neither settled nor cancelled: what the worker is really working on. */
  live: number;
  maxLive: number;
}

export function newCounters(): CompletionCounters {
  return {
    provideCalls: 0, requests: 0, cacheHits: 0, shown: 0, cancelled: 0, empty: 0, stale: 0, errors: 0, accepted: 0, warmups: 0, placeWarmups: 0,
    inFlight: 0, live: 0, maxLive: 0,
  };
}
