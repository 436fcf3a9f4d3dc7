// The TypeScript declarations shipped with the SDK type-check a realistic usage file under
// --strict, and reject the misuses it marks.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

test('ashna.d.ts type-checks the documented usage under --strict', () => {
  const tsc = path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  let out = '';
  try {
    out = execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2020', '--moduleResolution', 'node',
      '--lib', 'es2020,dom', path.join(__dirname, 'types-usage.ts')], { encoding: 'utf8' });
  } catch (e) {
    out = String(e.stdout) + String(e.stderr);
    assert.fail('tsc reported:\n' + out);
  }
  assert.equal(out.trim(), '');
});
