/**
 * The soak's timeline: the work of work.ts round after round for `minutes`, and at the start of each cycle of up to
 * ten minutes an unload and reload, a model switch and one back, a few rounds apart; then one long worker lifetime
 * to fit. Early, because the fit's resolution is its length: in 90 s, a 2 MiB step of the allocator is 80 MiB/h.
 * Each reload is followed by a prime (every kind of request once) when the lifetime will last a minute or more: the
 * memory fits start there (report.ts). Records failures from every source the extension has: the work's own checks,
 * the actions' messages, the error reporter's notifications, and unhandled rejections in this host.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { HearthApi } from '../../src/extension';
import { fimChatModel, plainModel } from '../support/paths';
import { buildReport, type Report } from './report';
import { Sampler } from './sampler';
import { Work, type Kind } from './work';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * hearth.idleUnloadMinutes is held to at least 1 minute (clampIdleUnloadMinutes: never unload after every request),
 * so a real idle unload costs a minute of doing nothing. Cycles of 5 minutes or more spend it; shorter runs unload
 * through WorkerEngine.unload(), the same stopWorker-then-rest that the idle timer runs.
 */
export function usesRealIdleUnload(minutes: number): boolean {
  return Math.min(minutes, 10) >= 5;
}

export async function runSoak(hearth: HearthApi, minutes: number, set: (key: string, value: unknown) => Promise<void>): Promise<Report> {
  const failures: string[] = [];
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push((reason as Error)?.stack ?? String(reason));
  process.on('unhandledRejection', onUnhandled);
  // The listener must see what the host would: one planted rejection, taken off the record.
  void Promise.reject(new Error('planted by the soak (expected in the log)'));
  await sleep(50);
  assert.ok(unhandled.some((u) => u.includes('planted by the soak')), 'the unhandledRejection listener saw nothing in this host');
  unhandled.length = 0;

  const latencies: Array<{ t: number; kind: Kind; ms: number }> = [];
  const events: Array<{ t: number; what: string }> = [];
  const warmAt = new Map<number, number>();
  const jobs = hearth.testing.jobs;
  const pid = () => jobs.workerFor('completion').workerPid;
  const work = new Work(hearth, { latency: (kind, ms) => latencies.push({ t: sampler.now(), kind, ms }), fail: (what) => failures.push(`${sampler.now().toFixed(1)} s: ${what}`) });
  const sampler = new Sampler(() => [pid(), jobs.workerFor('assistant').workerPid], () => work.requests());
  const mark = (what: string) => events.push({ t: sampler.now(), what });
  const notify = hearth.actions.notify;
  const original = { ...notify };
  notify.warn = async (m) => void failures.push(`action warning: ${m}`);
  notify.error = async (m) => void failures.push(`action error: ${m}`);
  notify.engineError = (e) => void failures.push(`action engine error: ${(e as Error)?.message ?? e}`);
  const shownBefore = hearth.testing.errors.shownTotal;

  const realIdle = usesRealIdleUnload(minutes);
  if (realIdle) await set('idleUnloadMinutes', 1);
  const cycle = Math.min(minutes, 10) * 60;
  const schedule: Array<{ at: number; what: string; run: () => Promise<unknown> }> = [];
  for (let start = 0; start < minutes * 60 - 1; start += cycle) {
    schedule.push(
      { at: start + 0.04 * cycle, what: realIdle ? 'idle unload (hearth.idleUnloadMinutes: 1)' : 'unload (WorkerEngine.unload, the idle timer\'s path)', run: async () => {
        if (!realIdle) return jobs.workerFor('completion').unload();
        for (const until = Date.now() + 90_000; pid() !== undefined && Date.now() < until;) await sleep(250);
        if (pid() !== undefined) failures.push('the worker was not unloaded after a minute idle');
      } },
      { at: start + 0.08 * cycle, what: `model switch to ${path.basename(plainModel)}`, run: () => set('modelPath', plainModel) },
      { at: start + 0.12 * cycle, what: `model switch back to ${path.basename(fimChatModel)}`, run: () => set('modelPath', fimChatModel) },
    );
  }
  const loaded = async (what: string) => {
    await work.reload();
    mark(`${what} ${jobs.workerFor('completion').loadedModel?.name} in pid ${pid()}`);
    // The last lifetime is always primed, however late a busy machine brings it: it is the one the fit needs.
    if (schedule.length && schedule[0].at - sampler.now() < 60) return;
    await work.prime();
    warmAt.set(pid()!, sampler.now());
    mark(`primed pid ${pid()}`);
  };

  // A minute of steady work after the last prime, even where a busy machine made the events late (up to 90 s over).
  const end = () => Math.min(minutes * 60 + 90, Math.max(minutes * 60, Math.max(0, ...warmAt.values()) + 60));
  try {
    sampler.start();
    await work.open();
    await loaded('loaded');
    while (sampler.now() < end()) {
      const due = schedule[0] && sampler.now() >= schedule[0].at ? schedule.shift()! : undefined;
      if (due) {
        mark(due.what);
        const before = pid();
        await due.run();
        // A switch stops the worker asynchronously (on the configuration event): gone before the next keystroke.
        for (const until = Date.now() + 10_000; pid() === before && pid() !== undefined && Date.now() < until;) await sleep(20);
        await loaded('reloaded');
      }
      await work.round();
    }
  } catch (error) {
    failures.push(`the soak stopped: ${(error as Error).stack ?? error}`);
  } finally {
    sampler.stop();
    process.off('unhandledRejection', onUnhandled);
    Object.assign(notify, original);
  }
  for (const m of hearth.testing.errors.shownSince(shownBefore)) failures.push(`error shown: ${m.message}`);
  return buildReport({
    minutes, sampler, latencies, events, failures, unhandled, outcomes: work.outcomes, requests: work.requests(),
    unloads: realIdle ? 'the idle timer (hearth.idleUnloadMinutes: 1)' : 'WorkerEngine.unload() (the idle timer\'s path; its 1-minute minimum does not fit the run)', warmAt,
  });
}
