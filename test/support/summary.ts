// Mocha reporter: the usual `spec` output, then one plain closing line that CI reads:
//   N passed, N failed            (", N skipped" appended when tests were skipped)
// Used by .mocharc.json (unit tests) and by the e2e driver. Built to dist/test/support/summary.js;
// mocha require()s a reporter file and wants the constructor itself, hence `export =`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- `export =` needs the CommonJS import form
import Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  static summaryLine(passed: number, failed: number, skipped = 0): string {
    return `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
  }

  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    // Registered after Spec's own 'end' listener, so the line comes after the epilogue.
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats;
      console.log(SummaryReporter.summaryLine(s?.passes ?? 0, s?.failures ?? 0, s?.pending ?? 0));
    });
  }
}

export = SummaryReporter;
