/**
 * Control and bidi characters in what providers send: shown escaped to a human (src/client/terminal-text.ts),
 * and never able to forge a log line (every log line is one JSON object; pino escapes strings).
 */
import { terminalLines, terminalSafe } from '../../src/client/terminal-text';
import { createLogger } from '../../src/logger';
import { PROVIDERS } from '../../src/providers/registry';
import {
  CONTROL_CHARACTERS,
  mapTexts,
  SEEDS,
  startRecordingIngress,
  type InProcessIngress,
} from '../support/hostile-bodies';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it.each(Object.entries(CONTROL_CHARACTERS))('shows %s escaped', (_name, char) => {
    const shown = terminalSafe(`a${char}b`);
    expect(shown).not.toMatch(RAW);
    expect(shown).toMatch(/^a\\(u[0-9a-f]{4}|r|n)b$/);
  });

  it('shows the escapes JSON would write, doubles a backslash, and leaves other text alone', () => {
    expect(terminalSafe('\u0000\u001b[31m\r\n\t\u202e')).toBe('\\u0000\\u001b[31m\\r\\n\\t\\u202e');
    // A backslash sent as text cannot pass for an escape.
    expect(terminalSafe('\\u001b')).toBe('\\\\u001b');
    expect(terminalSafe('PROCESSED/PASSED Åsa 中文 ✓ 😀')).toBe('PROCESSED/PASSED Åsa 中文 ✓ 😀');
  });

  it('keeps each line a line: a value with a newline cannot add one', () => {
    expect(terminalLines(['first', `second\nkyc: forged`, 'third']).split('\n')).toEqual([
      'first',
      'second\\nkyc: forged',
      'third',
    ]);
  });
});

describe('log lines', () => {
  const every = Object.values(CONTROL_CHARACTERS).join('');

  it('every log call is one JSON line, whatever its message and fields hold', () => {
    const written: string[] = [];
    const logger = createLogger('test', 'debug', (line) => void written.push(line));
    logger.warn(`message ${every}`, { providerStatus: `status ${every}`, nested: { detail: every } });
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(written[0]!.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(JSON.parse(written[0]!)).toMatchObject({
      message: `message ${every}`,
      providerStatus: `status ${every}`,
      nested: { detail: every },
    });
  });

  describe('the ingress, with control characters in every text of every documented payload', () => {
    const written: string[] = [];
    let ingress: InProcessIngress;
    beforeAll(async () => {
      ingress = await startRecordingIngress(createLogger('ingress', 'debug', (line) => void written.push(line)));
    });
    afterAll(async () => {
      await ingress.close();
    });

    it.each(PROVIDERS)('%s: no answer is a 5xx and every line written is one JSON object', async (provider) => {
      written.length = 0;
      for (const seed of SEEDS[provider]) {
        let texts = 0;
        mapTexts(seed, (text) => ((texts += 1), text));
        // Each text on its own (so the rest of the body stays valid and is taken), each kind of character.
        for (let index = 0; index < texts; index += 1) {
          for (const char of Object.values(CONTROL_CHARACTERS)) {
            let at = 0;
            const bent = mapTexts(seed, (text) => (at++ === index ? `${text}${char}` : text));
            const answer = await ingress.post(provider, JSON.stringify(bent));
            expect(answer.status).toBeLessThan(500);
          }
        }
      }
      // The ingress did log (a hand-over is logged with its status word): the check below is not vacuous.
      expect(written.length).toBeGreaterThan(0);
      for (const chunk of written) {
        expect(chunk.endsWith('\n')).toBe(true);
        expect(chunk.slice(0, -1)).not.toMatch(/[\n\r]/);
        expect(() => JSON.parse(chunk) as unknown).not.toThrow();
      }
    });
  });
});
