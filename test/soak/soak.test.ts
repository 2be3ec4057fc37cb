/**
 * The extension-host soak: HEARTH_SOAK_MINUTES (2.5) of mixed work through the extension's real code paths, with
 * idle unloads and model switches (run.ts), while the workers' RSS and this host's heap and handles are sampled
 * (sampler.ts). The JSON goes to .test-run/soak-host.json (HEARTH_SOAK_OUT); the tests fail on a failed request, an
 * unhandled rejection, or a memory slope above its bound (report.ts says why each bound).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';
import { fimChatModel, plainModel, repoRoot } from '../support/paths';
import { HOST_HEAP_MAX_SLOPE, type Report } from './report';
import { runSoak, usesRealIdleUnload } from './run';

const minutes = Number(process.env.HEARTH_SOAK_MINUTES ?? 2.5);
const outFile = path.resolve(repoRoot, process.env.HEARTH_SOAK_OUT ?? '.test-run/soak-host.json');

describe(`soak (extension host, real models, ${minutes} min)`, function () {
  // Past the end of the run, the last request, and (with real idle unloads) a minute of idling per cycle.
  this.timeout(minutes * 60_000 * 1.5 + (usesRealIdleUnload(minutes) ? 90_000 * Math.ceil(minutes / 10) : 0) + 120_000);
  let report: Report;

  before(async () => {
    const hearth = await vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
    const settings = () => vscode.workspace.getConfiguration('hearth');
    const changed = new Map<string, unknown>();
    const set = async (key: string, value: unknown) => {
      if (!changed.has(key)) changed.set(key, settings().inspect(key)?.globalValue);
      await settings().update(key, value, vscode.ConfigurationTarget.Global);
    };
    try {
      await set('modelPath', fimChatModel);
      // Short answers: more turns in the run, each still streamed in many chunks. Greedy, so that the fixture model
      // runs each answer to its limit and the prime reaches the longest conversation the run will have.
      await set('chat.maxTokens', 128);
      await set('chat.temperature', 0);
      report = await runSoak(hearth, minutes, set);
    } finally {
      for (const [key, value] of changed) await settings().update(key, value, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    const { samples: _s, latencies: _l, ...summary } = report;
    console.log(JSON.stringify(summary, null, 2));
    console.log(`soak JSON: ${outFile}`);
  });

  it('no request failed', () => {
    assert.deepEqual(report.failures, []);
  });

  it('no unhandled rejection in the extension host', () => {
    assert.deepEqual(report.unhandledRejections, []);
  });

  it('worker RSS within each lifetime after its warm-up climbs at most the bound for the run\'s length (report.ts)', () => {
    assert.ok(report.workerLifetimes.some((l) => l.steadySamples >= 10), `no worker lifetime long enough to fit: ${JSON.stringify(report.workerLifetimes)}`);
    assert.ok(report.workerRssSlopeMiBPerHour <= report.workerRssMaxSlope, `${report.workerRssSlopeMiBPerHour} MiB/h, bound ${report.workerRssMaxSlope}`);
  });

  it(`the extension host's retained heap climbs at most ${HOST_HEAP_MAX_SLOPE} MiB/h after warm-up`, () => {
    assert.ok(report.hostHeapSlopeMiBPerHour <= HOST_HEAP_MAX_SLOPE, `${report.hostHeapSlopeMiBPerHour} MiB/h (${report.hostHeapMeasure})`);
  });

  it('every kind of work ran: typing, accepting, Summarize, Rewrite accepted and rejected, chat, unloads and switches', () => {
    for (const kind of ['completion', 'accept', 'summarize', 'rewrite', 'chat', 'reload'] as const) assert.ok(report.latencyMs[kind]?.n > 0, `no ${kind}`);
    assert.ok(report.outcomes['rewrite accepted'] > 0 && report.outcomes['rewrite rejected'] > 0, JSON.stringify(report.outcomes));
    const loads = report.events.filter((e) => / in pid /.test(e.what)).map((e) => e.what);
    const of = (model: string) => loads.filter((l) => l.includes(` ${path.basename(model)} `)).length;
    assert.ok(of(plainModel) >= 1 && of(fimChatModel) >= 3, `loads: ${loads.join('; ')}`);
  });
});
