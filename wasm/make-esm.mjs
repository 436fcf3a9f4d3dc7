// Build step: writes ashna.mjs (the ES module build) from esm.mjs, the snippet and the built
// classic ashna.js. Usage: node make-esm.mjs TEMPLATE SNIPPET ASHNA_JS OUT
import { readFileSync, writeFileSync } from 'node:fs';

const [template, snippet, classic, out] = process.argv.slice(2).map((f, i) => (i < 3 ? readFileSync(f, 'utf8') : f));
if (!out) throw new Error('usage: node make-esm.mjs TEMPLATE SNIPPET ASHNA_JS OUT');
const marks = ['/* @ashna-snippet */', '/* @ashna-classic */'];
for (const m of marks) if (template.split(m).length !== 2) throw new Error(`esm template: ${m} must occur once`);
// Functions as replacements: `$` in the minified code must stay as it is.
writeFileSync(out, template.replace(marks[0], () => snippet.trim()).replace(marks[1], () => classic.trim()) + '\n');
