// Type declarations for the Ashna browser SDK (window.ashna), shipped beside ashna.js.
// Every method returns a Promise and never throws synchronously into the page: bad arguments
// reject with a TypeError whose message names the argument. Before /ashna.js has loaded, the
// snippet (ashna-snippet.js) queues calls; if the WebAssembly core cannot load, calls resolve
// to undefined and slots keep their fallback content.
// The same declarations describe the ES module build (ashna.mjs, shipped with a copy of this file
// as ashna.d.mts): `import ashna, { init } from '/ashna.mjs'`, at the end of this file.

export type EventType =
  | 'page_view' | 'product_view' | 'search' | 'add_to_cart' | 'remove_from_cart' | 'purchase'
  | 'click' | 'like' | 'email_open' | 'unsubscribe' | 'notification_block' | 'store_visit' | 'exposure'
  | 'not_interested';

/** A product as the shop describes it. */
export interface Item {
  id: string;            // 1-128 bytes
  title?: string;        // up to 512 bytes; always rendered as text
  category?: string;     // a path, "coffee/single-origin"
  price?: number;        // unit price, 0..1e9
}

/** One order or cart line. */
export interface Line extends Item {
  qty?: number;          // 1..100000, default 1
}

export interface TrackProps {
  item?: Item;           // the product the event is about
  lines?: Line[];        // order or cart lines (at most 100)
  currency?: string;     // ISO 4217
  [prop: string]: unknown;  // anything else is kept as the event's free properties (JSON, <= 4 KB)
}

export interface TrackResult {
  kept: boolean;         // false when the customer's consent does not allow keeping it
  id?: string;           // the event id
  reason?: string;
}

export interface Order {
  id?: string;
  lines: Line[];
  currency?: string;
}

export interface Trait {
  value: string;
  ts: number;            // Unix ms of the write (hybrid clock: never behind a write already seen)
  tick?: number;         // hybrid clock counter within one ts; absent when 0
  replica: string;       // the device that wrote it
}

export interface StoredEvent {
  id: string;
  type: EventType;
  ts: number;
  channel: string;
  item?: Item;
  lines?: Line[];
  currency?: string;
  path?: string;
  props?: Record<string, unknown>;
}

export interface Profile {
  id: string;            // anonymous ("a_...") until identify; then the customer's profile id
  traits: Partial<Record<'name' | 'locale' | 'channel', Trait>> & { [interest: `interest:${string}`]: Trait };
  events: StoredEvent[];
}

export interface Greeting {
  kind: 'generic' | 'first_visit' | 'same_visit' | 'returning' | 'reorder' | 'win_back';
  text: string;
  reason: string;        // why this greeting, in words
  item: string;          // the product it mentions, or ""
  locale: 'en' | 'fa';
}

export interface Recommendation {
  item: string;
  title: string;
  category: string;
  price: number;
  strategy: 'buy_again' | 'cooccurrence' | 'affinity' | 'popular' | 'offer_repeat' | 'offer_new';
  reason: string;
}

export interface Offer {
  items: Recommendation[];  // two repeat items and one new, or empty
  reason: string;
}

export interface Affinity {
  key: string;
  score: number;
  views: number;
  carts: number;
  purchases: number;
  stated: boolean;       // the customer said so (an explicit interest)
}

export interface Views {
  rfm: { orders: number; monetary: number; recency_days: number; r: number; f: number; m: number;
         segment: 'none' | 'champions' | 'loyal' | 'potential_loyalist' | 'new' | 'at_risk' | 'cant_lose' | 'hibernating' | 'lost' };
  categories: Affinity[];
  tags: Affinity[];
  items: Array<{ key: string; purchases: number; last: number; interval_days: number; next: number;
                 confidence: number; status: 'not_due' | 'due_soon' | 'overdue' | 'one_off' }>;
  category_cadence: Views['items'];
  stage: 'discovering' | 'comparing' | 'deciding' | 'bought' | 'evaluating' | 'loyal' | 'at_risk';
  stage_reason: string;
  /** The customer's value under the site's model (GET /v1/model); `scored` is false without a
   *  model or without orders. Tier ranks annual_value against the site's quantiles. */
  value: CustomerValue;
}

export interface CustomerValue {
  orders: number;
  spend_per_order: number;
  x: number;
  t_x: number;
  T: number;
  scored: boolean;
  p_alive?: number;
  expected_spend?: number;
  annual_value?: number;
  tier?: 'high' | 'medium' | 'low';
}

export interface Purposes {
  personalisation: boolean;
  analytics: boolean;
  marketing: boolean;
}

export interface ConsentState extends Purposes {
  decided: boolean;
  // marketing is always false while Global Privacy Control is on
  gpc?: boolean;         // navigator.globalPrivacyControl as seen by the SDK (consent.get)
  policy?: string;       // the policy version the choice was made under (consent.get)
  /** The same choice as Google Consent Mode v2 signals (consent.get). With data-consent-mode="google"
   *  the SDK also calls gtag('consent', 'update', these) on every choice. */
  google?: Record<'ad_storage' | 'ad_user_data' | 'ad_personalization' | 'analytics_storage' |
    'personalization_storage' | 'functionality_storage' | 'security_storage', 'granted' | 'denied'>;
}

/** name, locale ('en' | 'fa'), channel, and interests: 'interest:<category or tag>' = '+' | '-'. */
export type TraitUpdate = Partial<Record<'name' | 'locale' | 'channel', string>> &
  { [interest: `interest:${string}`]: '+' | '-' };

export interface SyncResult {
  ok: boolean;
  version?: number;
  accepted?: { events: number; traits: number; consent?: number };
  received?: number;
  status?: number;
  error?: { code: string; message: string };
}

export interface AshnaEvents {
  ready: Ashna;
  profile: Profile;
  consent: ConsentState;
  sync: SyncResult;
}

/** init() options of the ES module build: the script tag's data-* attributes in camelCase. */
export interface AshnaOptions {
  site: string;              // publishable key (data-site)
  endpoint?: string;         // ashna-server base URL, default "/"
  catalog?: string;          // URL of the catalog JSON
  locale?: string;           // "fa"/"fa-*" for Persian, else English; default <html lang>
  policy?: string;           // privacy policy version
  consentMode?: 'google';    // forward choices to gtag as Google Consent Mode v2 signals
  auto?: 'off';              // no automatic page/product views, click tracking or data layer
  /** The array whose GA4 `purchase` events are recorded as purchases (default "dataLayer"), or "off". */
  datalayer?: string;
  wire?: 'json';             // sync protocol version 1 (debugging)
  wasm?: string;             // URL of ashna.wasm; default: next to ashna.mjs
}

/** A GA4 purchase as Google Tag Manager pushes it to the data layer (gtag('event', 'purchase',
 *  ecommerce) is read as well). Idempotent by transaction_id. */
export interface DataLayerPurchase {
  event: 'purchase';
  ecommerce: {
    transaction_id: string | number;
    currency?: string;
    value?: number;          // not read: the lines say it
    items: Array<{
      item_id?: string | number;   // else item_name is the id
      item_name?: string;
      item_category?: string;      // item_category..item_category5 become the path "a/b/c"
      item_category2?: string;
      item_category3?: string;
      item_category4?: string;
      item_category5?: string;
      price?: number | string;     // unit price, >= 0
      quantity?: number;           // >= 1, default 1
      [key: string]: unknown;
    }>;
    [key: string]: unknown;
  };
}

export interface Ashna {
  readonly version: string;
  track(type: EventType, props?: TrackProps): Promise<TrackResult>;
  page(props?: Record<string, unknown>): Promise<TrackResult>;
  purchase(order: Order): Promise<TrackResult>;
  /** Links this device to a customer. `token` is hex HMAC-SHA256(site identity secret, userId), made by your server. */
  identify(userId: string, opts: { token: string; traits?: Record<string, string> }): Promise<{ id: string }>;
  /** Logs out: a fresh anonymous profile on this device. */
  reset(): Promise<void>;
  /** Recomputes and renders the greeting and slots; resolves to the greeting. */
  greeting(): Promise<Greeting>;
  recommend(opts?: { k?: number; exclude?: string[] }): Promise<Recommendation[]>;
  offer(): Promise<Offer>;
  views(): Promise<Views>;
  /** Sends what is pending and receives what this device lacks, in sync protocol version 2
   *  (MessagePack; data-wire="json" on the script tag for version 1). Resolves to the server's
   *  answer in the version-1 JSON shape, or null without storage consent or on a network error. */
  sync(): Promise<unknown>;
  on<K extends keyof AshnaEvents>(event: K, fn: (detail: AshnaEvents[K]) => void): Promise<void>;
  profile: {
    get(): Promise<Profile>;
    update(traits: TraitUpdate): Promise<Profile>;
    /** Erases the profile here at once, on the server and on the customer's other devices at their next sync. */
    erase(): Promise<{ erased: true; pending: boolean }>;
  };
  consent: {
    get(): Promise<ConsentState>;
    /** source: where the customer chose ('banner', 'profile_centre', 'api' by default). */
    set(choice: 'all' | 'necessary' | Purposes, source?: string): Promise<ConsentState>;
  };
}

declare global {
  interface Window {
    ashna: Ashna;
  }
}

/** ES module build only (ashna.mjs): starts the SDK once with `options` and returns the API (the
 *  default export, also window.ashna). Calls made before init() are queued. */
export declare function init(options: AshnaOptions): Ashna;
/** ES module build only: the API object, the same as window.ashna. */
export declare const ashna: Ashna;
export default ashna;
