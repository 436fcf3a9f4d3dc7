/* Ashna as an ES module: `import ashna, { init } from '/ashna.mjs'`. The template of ashna.mjs:
 * make-esm.mjs puts the snippet and the minified classic build (ashna.js) at the two markers, so
 * both files run the same code. The default export is the same object as window.ashna; calls made
 * before init() are queued like the snippet's. ashna.wasm is fetched next to this module. */
/* @ashna-snippet */
const ashna = window.ashna;
let started = false;

/** Starts the SDK once. `options` are the script tag's data-* attributes in camelCase: {site,
 *  endpoint, catalog, locale, policy, consentMode, auto, datalayer, wire, wasm}. Returns the API. */
export function init(options) {
  if (started || !ashna.snippet) {
    console.warn('[ashna] init() was called again, or ashna.js is already on the page: ignored');
    return window.ashna;
  }
  started = true;
  // Read by the classic build below in place of its <script> tag's data-* attributes.
  const ashnaModuleOptions = Object.assign({ wasm: new URL('ashna.wasm', import.meta.url).href }, options);
  /* @ashna-classic */
  return ashna;
}

export { ashna };
export default ashna;
