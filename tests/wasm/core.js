// Loads the Node build of the wasm core (build/wasm/wasm/ashna-node.{js,wasm}); ASHNA_WASM_DIR overrides.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.ASHNA_WASM_DIR || path.join(__dirname, '..', '..', 'build', 'wasm', 'wasm');

async function loadCore() {
  const { AshnaCore, AshnaEngine } = require(path.join(dir, 'ashna-node.js'));
  // Node 18+: the 3.1.6 loader would fetch() a file path; hand it the bytes instead.
  const core = await AshnaCore({ wasmBinary: fs.readFileSync(path.join(dir, 'ashna-node.wasm')) });
  return { core, AshnaEngine };
}

// The experiments module (wasm/experiments.js) as the Node build carries it: no wasm needed.
function loadExperiments() {
  return require(path.join(dir, 'ashna-node.js')).AshnaExperiments;
}

function loadCases(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cases', name), 'utf8'));
}

module.exports = { loadCore, loadExperiments, loadCases, dir };
