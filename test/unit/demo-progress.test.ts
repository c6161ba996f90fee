import { Progress, verdictTable, type Row } from '../../tools/demo/progress';
import type { Scenario } from '../../tools/demo/scenarios';
import { type VerificationState } from '../../src/verification/model';
import { loadConfig } from '../../src/app-config';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { initialState } from '../../src/verification/initial-state';

const policy = loadConfig(DEV_DEFAULTS).providers.jumio!.policy;

function scenario(story: string, expected: Scenario['expected']): Scenario {
  return { provider: 'jumio', reference: `demo-${story}`, story, expected, run: () => Promise.resolve() };
}

function state(status: VerificationState['status'], decision?: VerificationState['decision']): VerificationState {
  return {
    ...initialState('jumio', 'x', '2026-01-01T00:00:00.000Z', policy),
    status,
    ...(decision ? { decision } : {}),
  };
}

describe('demo progress', () => {
  it('prints a line per change when the output is not a terminal, without escape codes', () => {
    const rows: Row[] = [{ scenario: scenario('in-order', { status: 'COMPLETED', decision: 'APPROVED' }) }];
    let out = '';
    const progress = new Progress(rows, (text) => (out += text), false);
    progress.update();
    progress.update(); // nothing changed: nothing printed
    rows[0]!.state = state('COMPLETED', 'APPROVED');
    progress.update();
    expect(out.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^jumio +in-order +starting +demo-in-order$/),
      expect.stringMatching(/^jumio +in-order +COMPLETED\/APPROVED +demo-in-order$/),
    ]);
    expect(out).not.toContain('\x1b[');
  });

  it('redraws the block in place on a terminal', () => {
    const rows: Row[] = [
      { scenario: scenario('a', { status: 'EXPIRED' }) },
      { scenario: scenario('b', { status: 'EXPIRED' }) },
    ];
    const frames: string[] = [];
    const progress = new Progress(rows, (text) => frames.push(text), true);
    progress.update();
    progress.update();
    expect(frames[0]!.startsWith('\x1b[2K')).toBe(true);
    expect(frames[1]!.startsWith('\x1b[2A\x1b[2K')).toBe(true);
    expect(frames[1]!.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('tabulates verdicts against expectations, with the UI link', () => {
    const rows: Row[] = [
      { scenario: scenario('ok', { status: 'COMPLETED', decision: 'REVIEW' }), state: state('COMPLETED', 'REVIEW') },
      { scenario: scenario('bad', { status: 'EXPIRED' }), state: state('IN_PROGRESS') },
    ];
    const table = verdictTable(rows, (id) => `http://ui/${encodeURIComponent(id)}`).split('\n');
    expect(table[0]).toMatch(/^provider +story +outcome +expected +Web UI$/);
    expect(table[1]).toMatch(
      /^jumio +ok +COMPLETED\/REVIEW +COMPLETED\/REVIEW +ok +http:\/\/ui\/kyc%3Ajumio%3Ademo-ok$/,
    );
    expect(table[2]).toMatch(/^jumio +bad +IN_PROGRESS +EXPIRED +MISMATCH +http:\/\/ui\//);
  });
});
