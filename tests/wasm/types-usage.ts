// Compiled with tsc --noEmit --strict by types.test.js: the shipped declarations must describe
// how the SDK is used in docs/js-api.md, and reject misuse (the @ts-expect-error lines).
import type { Ashna, AshnaOptions, DataLayerPurchase, Recommendation } from '../../wasm/ashna';
import type * as AshnaModule from '../../wasm/ashna';

declare const ashna: Ashna;
declare const esm: typeof AshnaModule;  // import ashna, { init } from '/ashna.mjs'

async function usage(): Promise<void> {
  await ashna.consent.set('all');
  const c = await ashna.consent.get();
  const marketing: boolean = c.marketing;
  await ashna.track('product_view', { item: { id: 'ethiopian-yirgacheffe', title: 'Ethiopian Yirgacheffe', price: 14.5 } });
  await ashna.purchase({ lines: [{ id: 'house-espresso', qty: 2, price: 12.5 }], currency: 'EUR' });
  const recs: Recommendation[] = await ashna.recommend({ k: 4, exclude: ['house-espresso'] });
  const first: string | undefined = recs[0]?.reason;
  const g = await ashna.greeting();
  if (g.kind === 'reorder') console.log(g.text, g.item);
  const p = await ashna.profile.get();
  console.log(p.id, p.traits.name?.value, p.events.length, first, marketing);
  await ashna.profile.update({ name: 'Ana' });
  await ashna.profile.update({ 'interest:tea': '+', 'interest:coffee': '-' });
  await ashna.consent.set({ personalisation: false, analytics: true, marketing: false }, 'profile_centre');
  await ashna.identify('customer-42', { token: 'hex-hmac-from-your-server' });
  const v = await ashna.views();
  if (v.rfm.segment === 'champions' && v.stage === 'loyal') console.log(v.items[0]?.status);
  await ashna.on('sync', (r) => console.log(r.ok));
  await ashna.profile.erase();
  // The ES module build and the data layer.
  const options: AshnaOptions = { site: 'pk_live_x', endpoint: 'https://ashna.example/', datalayer: 'dataLayer', auto: 'off' };
  const started: Ashna = esm.init(options);
  const same: boolean = started === esm.default && esm.ashna === esm.default;
  const order: DataLayerPurchase = { event: 'purchase', ecommerce: { transaction_id: 'T-1', currency: 'EUR',
    items: [{ item_id: 'house-espresso', item_name: 'House Espresso Blend', item_category: 'coffee', price: 12.5, quantity: 2 }] } };
  console.log(same, order.ecommerce.items.length);
  // @ts-expect-error: init needs the site key
  esm.init({ endpoint: '/' });
  // @ts-expect-error: not an event type
  await ashna.track('pageview');
  // @ts-expect-error: choice is 'all' or 'necessary'
  await ashna.consent.set('yes');
  // @ts-expect-error: an interest is '+' or '-'
  await ashna.profile.update({ 'interest:tea': 'yes' });
  // @ts-expect-error: identify needs the signed token
  await ashna.identify('customer-42');
}
void usage;
