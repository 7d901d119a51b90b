// Synthetic first-party behaviour of the shop's visitors, as Segment messages the tracker would
// send: sessions of browsing (page views, product list impressions, product views with their
// dwell time, clicks), carts and their abandonment, favourites, checkouts and orders.
//
// Purchases follow the BG/NBD story (Fader, Hardie & Lee 2005), so the analytics can find what is
// planted: while "alive" a customer buys at a personal Poisson rate λ ~ Gamma(r, α), and after
// each purchase drops out with a personal probability p ~ Beta(a, b). Some customers are loyal
// (high λ, low p), many buy once, some stop (churn); a quarter never buy. Browsing follows the
// purchase rate, a few sessions precede a purchase, and some visitors stay anonymous, or sign up
// later (their anonymous history is then stitched to the new customer).
//
// Each person is a lazy stream of sessions; the people's streams are merged by time, so the
// output is one time-ordered stream and memory grows with the number of people, never with the
// number of events. Same seed, people and catalogue → the same messages, byte for byte.
import { CATEGORIES, generateCatalogue, type CategoryKey, type SyntheticProduct } from './catalogue.ts';
import { beta, createRandom, exponential, gamma, logNormal, streamSeed, type Random } from './random.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const KST = 9 * 3_600_000;

/** The purchase model's true parameters (rates per day), for checking what the analytics recover. */
export const PURCHASE_MODEL = { r: 0.8, alpha: 70, a: 0.8, b: 3.2, neverBuyShare: 0.25 } as const;

/** What the behaviour model needs to know of a known customer (a `SyntheticCustomer` fits). */
export type BehaviourCustomer = {
  externalId: string;
  name: string;
  email: string;
  gender: 'F' | 'M';
  signedUpAt: Date;
  preferences: readonly { category: string; weight: number }[];
};

export type GeneratedContext = {
  sessionId: string;
  page: { path: string; url: string; title: string; referrer: string };
  userAgent: string;
  locale: string;
  timezone: string;
  library: { name: string; version: string };
  campaign?: { source: string; medium: string; name: string };
};

/** One Segment message (track, page or identify) as the tracker sends it. */
export type SegmentMessage = {
  type: 'track' | 'page' | 'identify';
  messageId: string;
  /** ISO 8601 with milliseconds, UTC. No `sentAt`: these are history, not clock-skewed sends. */
  timestamp: string;
  anonymousId: string;
  userId?: string;
  /** track: the event name. */
  event?: string;
  /** page: the page name. */
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: GeneratedContext;
};

export type BehaviourOptions = {
  seed?: number;
  /** The known customers (e.g. `generateCustomers` with the same `now`); their `externalId` is their user id. */
  customers: Iterable<BehaviourCustomer>;
  /** Default `generateCatalogue({ seed })`. */
  catalogue?: readonly SyntheticProduct[];
  /** The end of the history; default 2026-11-01, as the customer generator. */
  now?: Date;
  /** Only sessions of the last `days` days are sent (the model runs from each sign-up); default 730. */
  days?: number;
  /**
   * Orders go back this many days (when more than `days`): before the browsing window only the
   * `Order Completed` call is sent (after an identify), a long purchase history for few events.
   */
  orderHistoryDays?: number;
  /** Visitors who are not among the customers; default half as many as customers. */
  anonymousVisitors?: number;
  /** Share of those visitors who sign up at some visit (identify with a new user id); default 0.25. */
  signupShare?: number;
  /** Multiplies how often people visit; default 1. */
  intensity?: number;
  /** Stop after this many messages. */
  maxEvents?: number;
  /** Origin of the shop's page URLs; default http://localhost:3000. */
  origin?: string;
};

// --- the shop's pages, referrers, devices -----------------------------------------------------

const USER_AGENTS: readonly (readonly [string, number])[] = [
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1', 34],
  ['Mozilla/5.0 (Linux; Android 15; SM-S928N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36', 22],
  ['Mozilla/5.0 (Linux; Android 15; SM-S931N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36', 14],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36', 18],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15', 8],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0', 4],
];

type Landing = { referrer: string; campaign?: GeneratedContext['campaign'] };
const LANDINGS: readonly (readonly [Landing, number])[] = [
  [{ referrer: '' }, 30],
  [{ referrer: 'https://search.naver.com/' }, 24],
  [{ referrer: 'https://www.google.com/' }, 8],
  [{ referrer: 'https://l.instagram.com/', campaign: { source: 'instagram', medium: 'social', name: 'season_lookbook' } }, 14],
  [{ referrer: 'https://pf.kakao.com/', campaign: { source: 'kakao', medium: 'message', name: 'weekly_picks' } }, 12],
  [{ referrer: 'https://mail.naver.com/', campaign: { source: 'newsletter', medium: 'email', name: 'new_arrivals' } }, 7],
  [{ referrer: 'https://m.blog.naver.com/', campaign: { source: 'blog', medium: 'referral', name: 'review' } }, 5],
];

/** When Korean shoppers browse (hour of day, KST): lunch, the commute home and the late evening. */
const HOUR_WEIGHTS: readonly (readonly [number, number])[] = [
  [0, 4], [1, 2], [2, 1], [3, 0.5], [4, 0.3], [5, 0.3], [6, 0.8], [7, 2], [8, 3], [9, 3], [10, 3.5], [11, 4],
  [12, 6], [13, 5], [14, 4], [15, 4], [16, 4], [17, 4.5], [18, 5.5], [19, 6], [20, 7], [21, 8.5], [22, 9], [23, 7],
];

const CLICKS_ON_PRODUCT: readonly (readonly [string, number, Record<string, unknown>])[] = [
  ['Size Guide Opened', 0.1, {}],
  ['Reviews Opened', 0.16, {}],
];

const COUPONS: readonly (readonly [string, number, number])[] = [
  // code, percent off, fixed KRW off
  ['WELCOME10', 10, 0],
  ['AUTUMN5000', 0, 5_000],
  ['KAKAO15', 15, 0],
];

const VISITOR_NAMES: readonly (readonly [string, string])[] = [
  ['김하린', 'harin.kim'], ['이도현', 'dohyun.lee'], ['박서아', 'seoa.park'], ['최윤서', 'yoonseo.choi'], ['정우빈', 'woobin.jung'],
  ['강나연', 'nayeon.kang'], ['조민재', 'minjae.cho'], ['윤채아', 'chaea.yoon'], ['장시온', 'sion.jang'], ['한예린', 'yerin.han'],
];

const LIBRARY = { name: 'rapport-generator', version: '1' };
const FREE_SHIPPING_FROM = 50_000;
const SHIPPING_FEE = 3_000;

// --- the world: catalogue indexes shared by every person --------------------------------------

type Shelf = { products: SyntheticProduct[]; cumulative: number[] };
type World = {
  seed: number;
  seedHex: string;
  origin: string;
  now: number;
  windowStart: number;
  orderWindowStart: number;
  intensity: number;
  shelves: Map<string, Shelf>; // `${key}:${department}`
  urls: Map<SyntheticProduct, string>;
  imageUrls: Map<SyntheticProduct, string>;
  departmentsOf: Map<CategoryKey, string[]>;
};

function buildWorld(opts: BehaviourOptions, catalogue: readonly SyntheticProduct[]): World {
  const shelves = new Map<string, Shelf>();
  const departmentsOf = new Map<CategoryKey, string[]>();
  for (const p of catalogue) {
    const id = `${p.categoryKey}:${p.department}`;
    let shelf = shelves.get(id);
    if (!shelf) {
      shelf = { products: [], cumulative: [] };
      shelves.set(id, shelf);
      const list = departmentsOf.get(p.categoryKey) ?? [];
      list.push(p.department);
      departmentsOf.set(p.categoryKey, list);
    }
    shelf.products.push(p);
    shelf.cumulative.push((shelf.cumulative[shelf.cumulative.length - 1] ?? 0) + p.popularity);
  }
  const seed = (opts.seed ?? 42) >>> 0;
  const origin = opts.origin ?? 'http://localhost:3000';
  const now = (opts.now ?? new Date('2026-11-01T00:00:00Z')).getTime();
  return {
    seed,
    seedHex: seed.toString(16).padStart(8, '0'),
    origin,
    now,
    windowStart: now - (opts.days ?? 730) * DAY,
    orderWindowStart: now - Math.max(opts.days ?? 730, opts.orderHistoryDays ?? 0) * DAY,
    intensity: opts.intensity ?? 1,
    shelves,
    urls: new Map(catalogue.map((p) => [p, `${origin}${p.url}`])),
    imageUrls: new Map(catalogue.map((p) => [p, `${origin}${p.imageUrl}`])),
    departmentsOf,
  };
}

// --- ids: structurally unique (seed, person, counter), shaped as UUIDs -------------------------

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}
/** version nibble 8 (custom), variant a/b/c/d: message, anonymous id, session, order. */
function uuidOf(world: Pick<World, 'seedHex'>, person: number, kind: 'a' | 'b' | 'c' | 'd', counter: number): string {
  const p = hex(person, 7);
  const c = hex(Math.floor(counter / 0x1000), 12);
  return `${world.seedHex}-${p.slice(0, 4)}-8${p.slice(4)}-${kind}${hex(counter % 0x1000, 3)}-${c}`;
}

/**
 * The id of message `counter` (0 = first) of person `person` (customers first, in the order
 * given, then visitors), whatever the other options: a loader can tell whether a stream is in.
 */
export function behaviourMessageId(seed: number, person: number, counter: number): string {
  return uuidOf({ seedHex: (seed >>> 0).toString(16).padStart(8, '0') }, person, 'a', counter);
}

// --- people --------------------------------------------------------------------------------

type Device = { anonymousId: string; userAgent: string; loggedIn: boolean };
type CartLine = { product: SyntheticProduct; quantity: number; addedAt: number };

type Person = {
  index: number;
  gender: 'F' | 'M';
  /** Category keys and weights the person leans to. */
  likes: readonly (readonly [CategoryKey, number])[];
  userId: string | null;
  traits: { email: string; name: string } | null;
  firstVisit: number;
  /** When the person signs up (known customers: their sign-up date); null: never. */
  signupAt: number | null;
  favouriteHour: number;
};

function likesOf(preferences: readonly { category: string; weight: number }[], rnd: Random, gender: 'F' | 'M'): [CategoryKey, number][] {
  const likes: [CategoryKey, number][] = [];
  for (const p of preferences) if ((CATEGORIES as readonly string[]).includes(p.category)) likes.push([p.category as CategoryKey, p.weight]);
  if (likes.length === 0) {
    // No stated preference: one or two revealed ones.
    const pool = gender === 'F' ? CATEGORIES : CATEGORIES.filter((c) => c !== 'dress');
    likes.push([rnd.pick(pool), 0.6]);
    if (rnd.chance(0.5)) likes.push([rnd.pick(pool), 0.4]);
  }
  return likes;
}

function pickHour(rnd: Random, favourite: number): number {
  if (rnd.chance(0.45)) return (favourite + rnd.int(-1, 1) + 24) % 24;
  return rnd.weighted(HOUR_WEIGHTS);
}

/** A moment on the KST day of `around`, at an hour people browse. */
function sessionTime(rnd: Random, around: number, favouriteHour: number): number {
  const kstDay = Math.floor((around + KST) / DAY) * DAY - KST;
  return kstDay + pickHour(rnd, favouriteHour) * 3_600_000 + rnd.int(0, 3_599_999);
}

// --- one person's stream ---------------------------------------------------------------------

type SessionKind = 'anonymous' | 'signup' | 'browse' | 'consider' | 'purchase' | 'trailing';
type Planned = { at: number; kind: SessionKind; items?: SyntheticProduct[] };

/**
 * One person's messages in time order. Before each session it yields `null` with `clock.at` set
 * to the session's start, and generates the session's messages only when asked for the next
 * item: a person between sessions holds no messages. Before each message `clock.at` is its time.
 */
function* personStream(world: World, person: Person, clock: { at: number }): Generator<SegmentMessage | null> {
  const rnd = createRandom(streamSeed(world.seed, person.index, 1));
  let counter = 0;
  let sessions = 0;
  let orders = 0;
  const devices: Device[] = [{ anonymousId: uuidOf(world, person.index, 'b', 0), userAgent: rnd.weighted(USER_AGENTS), loggedIn: false }];
  if (rnd.chance(0.35)) devices.push({ anonymousId: uuidOf(world, person.index, 'b', 1), userAgent: rnd.weighted(USER_AGENTS), loggedIn: false });
  let cart: CartLine[] = [];
  let cartNumber = 0;
  let known = false; // has the person signed up (or logged in) yet?
  let cursor = -Infinity; // end of the last session: sessions never overlap

  const pickCategory = (): CategoryKey => {
    if (rnd.chance(0.7)) return rnd.weighted(person.likes);
    return rnd.pick(CATEGORIES);
  };
  const pickProduct = (key: CategoryKey): SyntheticProduct | undefined => {
    const departments = world.departmentsOf.get(key);
    if (!departments?.length) return undefined;
    const lean = person.gender === 'F' ? 'women' : 'men';
    const department = departments.includes(lean) && rnd.chance(0.85) ? lean : rnd.pick(departments);
    const shelf = world.shelves.get(`${key}:${department}`)!;
    const r = rnd.next() * shelf.cumulative[shelf.cumulative.length - 1]!;
    let lo = 0;
    let hi = shelf.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (shelf.cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return shelf.products[lo];
  };

  // --- the plan: sessions in time order, drawn lazily ------------------------------------------
  const plan: Planned[] = [];
  const schedule = (s: Planned) => {
    let i = plan.length;
    while (i > 0 && plan[i - 1]!.at > s.at) i--;
    plan.splice(i, 0, s);
  };
  // Before signing up (or for ever, for visitors who never do): a few anonymous visits.
  const visits = person.signupAt === null ? 1 + Math.floor(exponential(rnd, 0.9)) : rnd.chance(0.5) ? 1 + Math.floor(exponential(rnd, 1.2)) : 0;
  const anonymousUntil = person.signupAt ?? Math.min(world.now, person.firstVisit + exponential(rnd, 1 / 20) * DAY);
  for (let v = 0; v < visits; v++) {
    const at = v === 0 && person.signupAt === null ? person.firstVisit : person.firstVisit + rnd.next() * Math.max(0, anonymousUntil - person.firstVisit);
    if (person.signupAt === null || at < person.signupAt) schedule({ at, kind: 'anonymous' });
  }
  // After signing up: BG/NBD purchases, browsing in proportion, a visit or two after dropping out.
  const lambda = gamma(rnd, PURCHASE_MODEL.r, 1 / PURCHASE_MODEL.alpha); // purchases per day while alive
  const dropout = beta(rnd, PURCHASE_MODEL.a, PURCHASE_MODEL.b);
  const browseRate = (0.015 + 2.5 * lambda) * gamma(rnd, 2, 0.5) * world.intensity;
  const buyer = !rnd.chance(PURCHASE_MODEL.neverBuyShare);
  /** When the person stops coming (dropped out after a purchase; never-buyers lose interest). */
  let aliveUntil = Infinity;
  function pickItems(): SyntheticProduct[] {
    const p = pickProduct(pickCategory());
    return p ? [p] : [];
  }
  function schedulePurchase(at: number) {
    if (at >= world.now) return;
    // What will be bought is chosen now, so a consideration visit days before can look at it.
    const items = pickItems();
    schedule({ at, kind: 'purchase', items });
    if (rnd.chance(0.5)) schedule({ at: at - (0.1 + exponential(rnd, 1 / 2)) * DAY, kind: 'consider', items: [...items] });
  }
  if (person.signupAt !== null) {
    schedule({ at: person.signupAt, kind: 'signup' });
    if (buyer) schedulePurchase(rnd.chance(0.3) ? person.signupAt + 20 * MINUTE : person.signupAt + exponential(rnd, 1 / 25) * DAY);
    else aliveUntil = person.signupAt + exponential(rnd, 1 / 120) * DAY;
  }
  let nextBrowse = person.signupAt !== null ? person.signupAt + exponential(rnd, browseRate) * DAY : Infinity;

  function nextPlanned(): Planned | undefined {
    // Browsing is a Poisson stream of its own, merged into the plan as it comes due.
    while (nextBrowse < world.now && (plan.length === 0 || nextBrowse <= plan[0]!.at)) {
      if (nextBrowse > aliveUntil) {
        const trailing = rnd.int(0, 2);
        for (let k = 0; k < trailing; k++) {
          const at = aliveUntil + exponential(rnd, 1 / 40) * DAY;
          if (at < world.now) schedule({ at, kind: 'trailing' });
        }
        nextBrowse = Infinity;
        break;
      }
      schedule({ at: nextBrowse, kind: 'browse' });
      nextBrowse += exponential(rnd, browseRate) * DAY;
    }
    return plan.shift();
  }

  // --- message writing -----------------------------------------------------------------------
  let out: SegmentMessage[] = [];
  let times: number[] = [];
  let t = 0;
  let device = devices[0]!;
  let sessionId = '';
  let page: GeneratedContext['page'] = { path: '/', url: '', title: '', referrer: '' };
  let campaign: GeneratedContext['campaign'];

  const base = (): Omit<SegmentMessage, 'type'> => {
    const m: Omit<SegmentMessage, 'type'> = {
      messageId: uuidOf(world, person.index, 'a', counter++),
      timestamp: new Date(t).toISOString(),
      anonymousId: device.anonymousId,
      context: {
        sessionId,
        page,
        userAgent: device.userAgent,
        locale: 'ko-KR',
        timezone: 'Asia/Seoul',
        library: LIBRARY,
        ...(campaign ? { campaign } : {}),
      },
    };
    if (device.loggedIn && person.userId) m.userId = person.userId;
    return m;
  };
  const push = (m: SegmentMessage) => {
    out.push(m);
    times.push(t);
  };
  const track = (event: string, properties: Record<string, unknown>) => push({ type: 'track', ...base(), event, properties });
  const visit = (name: string, path: string, title: string) => {
    const referrer = page.url || page.referrer;
    page = { path: `/demo-shop${path}`, url: `${world.origin}/demo-shop${path}`, title: `${title} · 무드앤데일리`, referrer };
    push({ type: 'page', ...base(), name, properties: { ...page } });
    t += rnd.int(300, 2_500);
  };
  const identify = () => {
    device.loggedIn = true;
    known = true;
    push({ type: 'identify', ...base(), traits: { ...person.traits } });
    t += rnd.int(200, 1_500);
  };
  const productProps = (p: SyntheticProduct, quantity?: number): Record<string, unknown> => ({
    product_id: p.sku,
    sku: p.sku,
    name: p.name,
    brand: p.brand,
    category: p.category,
    price: p.price,
    currency: p.currency,
    ...(quantity === undefined ? {} : { quantity }),
    url: world.urls.get(p)!,
    image_url: world.imageUrls.get(p)!,
  });

  /** A category page, its impressions and a click on one of them; returns the product clicked. */
  const browseList = (key: CategoryKey, wanted?: SyntheticProduct): SyntheticProduct | undefined => {
    const first = wanted ?? pickProduct(key);
    if (!first) return undefined;
    const categoryName = first.category.split(' > ').slice(0, 2).join(' > ');
    visit('Category', `/c/${first.department}/${key}`, categoryName);
    const shown: SyntheticProduct[] = [];
    const size = rnd.int(6, 12);
    for (let i = 0; i < size * 2 && shown.length < size; i++) {
      const p = i === 0 ? first : pickProduct(key);
      if (p && !shown.includes(p)) shown.push(p);
    }
    // The clicked product sits where the eye lands: usually among the first rows.
    const position = Math.min(shown.length - 1, Math.floor(exponential(rnd, 0.45)));
    [shown[0], shown[position]] = [shown[position]!, shown[0]!];
    const listId = `${first.department}-${key}`;
    track('Product List Viewed', {
      list_id: listId,
      category: categoryName,
      products: shown.map((p, i) => ({ product_id: p.sku, sku: p.sku, name: p.name, brand: p.brand, category: p.category, price: p.price, position: i + 1 })),
    });
    t += rnd.int(3_000, 40_000);
    const clicked = shown[position]!;
    track('Product Clicked', { ...productProps(clicked), position: position + 1, list_id: listId });
    t += rnd.int(100, 600);
    return clicked;
  };

  const addToCart = (p: SyntheticProduct) => {
    const quantity = rnd.chance(0.1) ? 2 : 1;
    const line = cart.find((l) => l.product === p);
    if (line) line.quantity += quantity;
    else cart.push({ product: p, quantity, addedAt: t });
    track('Product Added', { ...productProps(p, quantity), cart_id: cartId() });
  };
  const cartId = () => uuidOf(world, person.index, 'c', 0x800000 + cartNumber);

  /** A product page: the view, maybe a click or two, maybe cart or wishlist, and the dwell. */
  const viewProduct = (p: SyntheticProduct, intent: { cart?: boolean; wishlist?: boolean } = {}) => {
    visit('Product', `/p/${p.sku}`, p.name);
    track('Product Viewed', productProps(p));
    const liked = person.likes.some(([k]) => k === p.categoryKey);
    const dwell = Math.round(Math.min(8 * MINUTE, Math.max(1_500, logNormal(rnd, liked ? 30_000 : 20_000, 0.85))));
    const start = t;
    for (const [event, p0, props] of CLICKS_ON_PRODUCT) {
      if (rnd.chance(p0)) {
        t = Math.max(t, start + Math.round(dwell * (0.2 + 0.5 * rnd.next())));
        track(event, { ...props, sku: p.sku });
      }
    }
    const wantsCart = intent.cart ?? rnd.chance(liked ? 0.14 : 0.07);
    if (wantsCart) {
      t = Math.max(t, start + Math.round(dwell * 0.85));
      addToCart(p);
    }
    if (intent.wishlist ?? rnd.chance(liked ? 0.08 : 0.035)) {
      t = Math.max(t, start + Math.round(dwell * 0.7));
      track('Product Added to Wishlist', productProps(p));
    }
    t = start + dwell;
    track('Product Dwell', { product_id: p.sku, sku: p.sku, category: p.category, dwell_ms: dwell });
    t += rnd.int(200, 1_200);
  };

  const browse = (views: number, wanted: SyntheticProduct[] = []) => {
    for (let v = 0; v < views; v++) {
      const target = wanted[v];
      const key = target?.categoryKey ?? pickCategory();
      // From a list most of the time; sometimes straight to the product (search, recently viewed).
      const p = rnd.chance(0.7) ? browseList(key, target) : (target ?? pickProduct(key));
      if (p) viewProduct(p, target ? { cart: true } : {});
    }
  };

  const cartTotals = () => cart.reduce((s, l) => s + l.product.price * l.quantity, 0);

  const checkout = (complete: boolean) => {
    visit('Cart', '/cart', '장바구니');
    track('Cart Viewed', { cart_id: cartId(), products: cart.map((l) => productProps(l.product, l.quantity)) });
    t += rnd.int(5_000, 60_000);
    if (known && !device.loggedIn) {
      visit('Sign In', '/signin', '로그인');
      identify();
    }
    const subtotal = cartTotals();
    visit('Checkout', '/checkout', '주문서 작성');
    track('Checkout Started', { cart_id: cartId(), value: subtotal, revenue: subtotal, currency: 'KRW', products: cart.map((l) => productProps(l.product, l.quantity)) });
    t += rnd.int(20_000, 120_000);
    track('Checkout Step Completed', { step: 1, shipping_method: rnd.chance(0.85) ? 'standard' : 'dawn_delivery' });
    if (!complete && rnd.chance(0.5)) return; // left at the address form
    t += rnd.int(10_000, 90_000);
    track('Checkout Step Completed', { step: 2, payment_method: rnd.weighted([['card', 45], ['naverpay', 25], ['kakaopay', 20], ['bank_transfer', 10]] as const) });
    if (!complete) return; // left at payment
    t += rnd.int(3_000, 20_000);
    placeOrder(cart);
    t += rnd.int(500, 3_000);
    visit('Order Complete', '/order', '주문 완료');
    cart = [];
    cartNumber++;
  };

  const placeOrder = (lines: CartLine[]) => {
    orders++;
    const subtotal = lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
    const coupon = orders === 1 && rnd.chance(0.4) ? COUPONS[0]! : rnd.chance(0.12) ? rnd.pick(COUPONS.slice(1)) : undefined;
    const discount = coupon ? Math.round((subtotal * coupon[1]) / 100) + coupon[2] : 0;
    const shipping = subtotal - discount >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
    const orderDate = new Date(t + KST).toISOString().slice(0, 10).replace(/-/g, '');
    track('Order Completed', {
      order_id: `${orderDate}-${hex(person.index, 6).toUpperCase()}${String(orders).padStart(3, '0')}`,
      checkout_id: cartId(),
      subtotal,
      discount,
      shipping,
      total: subtotal - discount + shipping,
      revenue: subtotal - discount,
      ...(coupon ? { coupon: coupon[0] } : {}),
      currency: 'KRW',
      products: lines.map((l) => productProps(l.product, l.quantity)),
    });
  };

  /** Before the browsing window, within the order history: the order alone (after an identify). */
  const runOrderOnly = (s: Planned, start: number) => {
    startSession(start);
    const lines: CartLine[] = (s.items ?? []).map((product) => ({ product, quantity: rnd.chance(0.1) ? 2 : 1, addedAt: t }));
    if (rnd.chance(0.25)) {
      const extra = pickProduct(pickCategory());
      if (extra && !s.items?.includes(extra)) lines.push({ product: extra, quantity: 1, addedAt: t });
    }
    if (lines.length === 0) return;
    page = { path: '/demo-shop/checkout', url: `${world.origin}/demo-shop/checkout`, title: '주문서 작성 · 무드앤데일리', referrer: `${world.origin}/demo-shop/cart` };
    if (!device.loggedIn) identify();
    placeOrder(lines);
    cartNumber++; // the order's checkout id is its own
  };

  /** When a session planned for `at` starts: its day, at an hour people browse (often the person's favourite). */
  const startOf = (at: number, floor: number): number | undefined => {
    const start = Math.max(sessionTime(rnd, at, person.favouriteHour), cursor + 31 * MINUTE, floor);
    return start < world.now - 10 * MINUTE ? start : undefined;
  };
  const startSession = (start: number) => {
    t = start;
    sessions++;
    sessionId = uuidOf(world, person.index, 'c', sessions);
    device = person.signupAt !== null && known ? (rnd.chance(0.75) ? devices[0]! : devices[devices.length - 1]!) : devices[0]!;
    const landing = rnd.weighted(LANDINGS);
    campaign = landing.campaign;
    page = { path: '', url: '', title: '', referrer: landing.referrer };
  };

  const land = () => {
    const where = rnd.next();
    if (where < 0.35) {
      visit('Home', '/', '무드앤데일리');
      if (rnd.chance(0.12)) {
        t += rnd.int(2_000, 15_000);
        track('Promo Banner Clicked', { promo: 'autumn-sale' });
      }
    }
  };

  /** Before the window nothing is sent; only the state moves on (orders empty the cart, the login sticks). */
  const skipSession = (s: Planned) => {
    if (s.kind === 'signup' || s.kind === 'purchase') known = true;
    if (s.kind === 'purchase') {
      orders++;
      cart = [];
      cartNumber++;
    }
    cursor = s.at;
  };

  const runSession = (s: Planned, start: number) => {
    startSession(start);
    // Known people on a device they are logged in on send their user id from the first message;
    // on a new device they log in when they come to buy (or now and then right away).
    const mustLogIn = s.kind !== 'anonymous' && known && !device.loggedIn && (s.kind === 'purchase' || rnd.chance(0.5));
    land();
    if (s.kind === 'signup') {
      visit('Sign Up', '/signin', '회원가입');
      identify();
      track('Signed Up', { method: rnd.chance(0.6) ? 'kakao' : 'email' });
      t += rnd.int(1_000, 5_000);
      browse(rnd.int(0, 3));
    } else if (mustLogIn && s.kind !== 'purchase') {
      visit('Sign In', '/signin', '로그인');
      identify();
    }
    if (s.kind === 'purchase') {
      const items = s.items ?? [];
      // Lines already in the cart often go along; others get removed now and then.
      for (const line of [...cart]) {
        if (rnd.chance(0.2)) {
          visit('Cart', '/cart', '장바구니');
          track('Product Removed', { ...productProps(line.product, line.quantity), cart_id: cartId() });
          cart = cart.filter((l) => l !== line);
        }
      }
      const fresh = cart.length > 0 && rnd.chance(0.4) ? 0 : 1 + (rnd.chance(0.25) ? 1 : 0) + (rnd.chance(0.08) ? 1 : 0);
      while (items.length < fresh) {
        const p = pickProduct(pickCategory());
        if (p && !items.includes(p)) items.push(p);
      }
      browse(items.length, items);
      browse(rnd.int(0, 2));
      if (cart.length === 0) return;
      checkout(true);
      return;
    }
    const bounce = s.kind !== 'signup' && rnd.chance(s.kind === 'trailing' ? 0.5 : 0.28);
    if (bounce) {
      if (page.url === '') visit('Home', '/', '무드앤데일리');
      return;
    }
    const views = s.kind === 'consider' ? 1 + rnd.int(0, 2) : 1 + Math.min(11, Math.floor(exponential(rnd, 0.55)));
    browse(views, s.kind === 'consider' && s.items ? s.items : []);
    if (cart.length > 0) {
      if (rnd.chance(0.3)) {
        visit('Cart', '/cart', '장바구니');
        track('Cart Viewed', { cart_id: cartId(), products: cart.map((l) => productProps(l.product, l.quantity)) });
      }
      if (s.kind === 'anonymous' && person.userId === null && rnd.chance(0.05)) checkout(true); // a guest order
      else if (rnd.chance(0.08)) checkout(false);
    }
  };

  for (;;) {
    const s = nextPlanned();
    if (!s) return;
    if (s.kind === 'purchase') {
      // BG/NBD: after each purchase, drop out with probability p; otherwise the next one comes.
      if (rnd.chance(dropout)) aliveUntil = s.at;
      else schedulePurchase(s.at + exponential(rnd, lambda) * DAY);
    }
    const orderOnly = s.at < world.windowStart && s.kind === 'purchase' && s.at >= world.orderWindowStart;
    if (s.at < world.windowStart && !orderOnly) {
      skipSession(s);
      continue;
    }
    // A session keeps to its side of the browsing window's start when it moves to another hour.
    const start = startOf(s.at, orderOnly ? world.orderWindowStart : world.windowStart);
    if (start === undefined) continue;
    clock.at = start;
    yield null;
    if (orderOnly) runOrderOnly(s, start);
    else runSession(s, start);
    cursor = Math.max(cursor, t);
    const session = out;
    const sessionTimes = times;
    out = [];
    times = [];
    for (let i = 0; i < session.length; i++) {
      clock.at = sessionTimes[i]!;
      yield session[i]!;
      session[i] = undefined!; // already handed out: the consumer decides how long it lives
    }
  }
}

// --- everyone, merged by time ------------------------------------------------------------------

type Head = { at: number; person: number; clock: { at: number }; item: SegmentMessage | null; stream: Generator<SegmentMessage | null> };

const before = (x: Head, y: Head) => x.at < y.at || (x.at === y.at && x.person < y.person);
function siftUp(heap: Head[], i: number) {
  const item = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(item, heap[parent]!)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = item;
}
function siftDown(heap: Head[], i: number) {
  const item = heap[i]!;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
    if (!before(heap[child]!, item)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = item;
}
/** Moves a person's stream to its next item; false when it has no more. */
function advance(head: Head): boolean {
  const next = head.stream.next();
  if (next.done) return false;
  head.item = next.value;
  head.at = head.clock.at;
  return true;
}

/**
 * The shop's behaviour stream: Segment messages of every customer and visitor, in time order.
 * Lazy: pull as many as needed; at most `maxEvents`.
 */
export function* generateBehaviour(opts: BehaviourOptions): Generator<SegmentMessage> {
  const catalogue = opts.catalogue ?? generateCatalogue({ seed: opts.seed });
  const world = buildWorld(opts, catalogue);
  const people: Person[] = [];
  for (const c of opts.customers) {
    const index = people.length;
    const rnd = createRandom(streamSeed(world.seed, index, 2));
    const signupAt = c.signedUpAt.getTime();
    if (signupAt >= world.now) continue;
    people.push({
      index,
      gender: c.gender,
      likes: likesOf(c.preferences, rnd, c.gender),
      userId: c.externalId,
      traits: { email: c.email, name: c.name },
      firstVisit: signupAt - (rnd.chance(0.5) ? exponential(rnd, 1 / 6) * DAY : 0),
      signupAt,
      favouriteHour: rnd.weighted(HOUR_WEIGHTS),
    });
  }
  const visitors = opts.anonymousVisitors ?? Math.round(people.length / 2);
  const span = world.now - world.windowStart;
  for (let v = 0; v < visitors; v++) {
    const index = people.length;
    const rnd = createRandom(streamSeed(world.seed, index, 2));
    const gender = rnd.chance(0.68) ? 'F' : 'M';
    // Visits grow over time, as the sign-ups do.
    const firstVisit = world.now - span * (1 - Math.sqrt(rnd.next()));
    const signs = rnd.chance(opts.signupShare ?? 0.25);
    const signupAt = signs ? firstVisit + exponential(rnd, 1 / 7) * DAY : null;
    const [name, latin] = rnd.pick(VISITOR_NAMES);
    const known = signupAt !== null && signupAt < world.now - DAY;
    people.push({
      index,
      gender,
      likes: likesOf([], rnd, gender),
      userId: known ? `V${String(v + 1).padStart(7, '0')}` : null,
      traits: known ? { email: `${latin}.v${v + 1}@${rnd.pick(['gmail.com', 'naver.com', 'daum.net'])}`, name } : null,
      firstVisit,
      signupAt: known ? signupAt : null,
      favouriteHour: rnd.weighted(HOUR_WEIGHTS),
    });
  }

  const heap: Head[] = [];
  for (const person of people) {
    const clock = { at: 0 };
    const head: Head = { at: 0, person: person.index, clock, item: null, stream: personStream(world, person, clock) };
    if (!advance(head)) continue;
    heap.push(head);
    siftUp(heap, heap.length - 1);
  }
  const max = opts.maxEvents ?? Infinity;
  let sent = 0;
  while (sent < max && heap.length > 0) {
    const head = heap[0]!;
    // A null item announces a session: asking for the next item generates it.
    if (head.item !== null) {
      yield head.item;
      sent++;
    }
    if (advance(head)) {
      siftDown(heap, 0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0);
      }
    }
  }
}
