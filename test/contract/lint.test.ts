/**
 * `redocly lint` with the recommended rules (redocly.yaml; the findings ignored one by one, with
 * reasons, are in .redocly.lint-ignore.yaml): no error and no warning.
 */
import { expect, it } from 'vitest';
import { run } from '../support/run.js';

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; message: string; location: { pointer?: string }[] }[];
}

it('openapi.yaml passes redocly lint (recommended rules) with no error and no warning', async () => {
  const { code, stdout, stderr } = await run(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', 'openapi.yaml', '--config', 'redocly.yaml', '--format', 'json'], '', {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as LintReport;
  const findings = report.problems.map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer ?? '?'}: ${problem.message}`);
  expect(findings, stderr).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  expect(code).toBe(0);
});
