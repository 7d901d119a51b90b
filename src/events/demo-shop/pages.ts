// The demo shop's pages, rendered on the server from the synthetic catalogue (the same products
// the demo behaviour uses), in Korean or English. The markup carries the tracker's data-rapport-*
// attributes; shop.js keeps the cart in localStorage and calls the tracker's helpers.
import type { SyntheticProduct } from '../../demo-data/generate.ts';

export type Lang = 'ko' | 'en';

const STRINGS = {
  ko: {
    shopName: '무드앤데일리',
    tagline: '매일 입는 무드, 무드앤데일리',
    newArrivals: '이번 주 신상품',
    promo: '가을 시즌오프 최대 30% · 카카오페이 결제 시 5,000원 추가 할인',
    promoCta: '세일 상품 보기',
    cart: '장바구니',
    signIn: '로그인',
    signOut: '로그아웃',
    hello: '님, 안녕하세요',
    addToCart: '장바구니 담기',
    added: '장바구니에 담았습니다',
    wishlist: '위시리스트',
    wishlisted: '위시리스트에 추가했습니다',
    size: '사이즈',
    sizeGuide: '사이즈 가이드',
    sizeGuideText: '모델 키 168cm, 55 사이즈 착용. 평소 사이즈를 추천합니다.',
    reviews: '리뷰',
    reviewsText: '★★★★☆ 4.6 · “핏이 예쁘고 소재가 부드러워요.” · “배송이 빨랐어요.”',
    related: '함께 보면 좋은 상품',
    freeShipping: '50,000원 이상 무료배송',
    emptyCart: '장바구니가 비어 있습니다.',
    remove: '삭제',
    quantity: '수량',
    subtotal: '상품 금액',
    shipping: '배송비',
    total: '결제 예정 금액',
    checkout: '주문하기',
    continueShopping: '쇼핑 계속하기',
    checkoutTitle: '주문서 작성',
    shippingStep: '1. 배송지',
    paymentStep: '2. 결제 수단',
    recipient: '받는 분',
    phone: '연락처',
    address: '주소',
    next: '다음',
    placeOrder: '결제하기',
    orderDone: '주문이 완료되었습니다',
    orderNumber: '주문 번호',
    signInTitle: '로그인',
    email: '이메일',
    name: '이름',
    signInHint: '데모 상점입니다: 아무 이메일이나 입력하면 그 이메일의 고객으로 로그인합니다.',
    consentText: '더 나은 쇼핑 경험을 위해 방문 기록을 분석합니다.',
    consentAllow: '동의',
    consentDeny: '거부',
    noKey: '이 데모 상점에는 쓰기 키가 없어 이벤트를 보내지 않습니다. /demo-shop?key=wk_… 로 여세요 (설정 → API 키, 또는 npx rapport create-key --kind write).',
    language: 'English',
    departments: { women: '여성', men: '남성', beauty: '뷰티', home: '홈', kids: '키즈' },
    card: '신용카드',
    naverpay: '네이버페이',
    kakaopay: '카카오페이',
    bankTransfer: '무통장입금',
    standard: '일반 배송',
    dawn: '새벽 배송',
  },
  en: {
    shopName: 'Mood & Daily',
    tagline: 'Everyday moods, from Seoul',
    newArrivals: 'New this week',
    promo: 'Autumn season-off: up to 30% off · ₩5,000 more with KakaoPay',
    promoCta: 'Shop the sale',
    cart: 'Cart',
    signIn: 'Sign in',
    signOut: 'Sign out',
    hello: ', welcome back',
    addToCart: 'Add to cart',
    added: 'Added to your cart',
    wishlist: 'Wishlist',
    wishlisted: 'Added to your wishlist',
    size: 'Size',
    sizeGuide: 'Size guide',
    sizeGuideText: 'The model is 168 cm and wears a size S. We recommend your usual size.',
    reviews: 'Reviews',
    reviewsText: '★★★★☆ 4.6 · “Lovely fit and a soft fabric.” · “Arrived quickly.”',
    related: 'You may also like',
    freeShipping: 'Free delivery from ₩50,000',
    emptyCart: 'Your cart is empty.',
    remove: 'Remove',
    quantity: 'Qty',
    subtotal: 'Subtotal',
    shipping: 'Delivery',
    total: 'Total',
    checkout: 'Check out',
    continueShopping: 'Continue shopping',
    checkoutTitle: 'Checkout',
    shippingStep: '1. Delivery address',
    paymentStep: '2. Payment',
    recipient: 'Recipient',
    phone: 'Phone',
    address: 'Address',
    next: 'Next',
    placeOrder: 'Pay now',
    orderDone: 'Thank you for your order',
    orderNumber: 'Order number',
    signInTitle: 'Sign in',
    email: 'E-mail',
    name: 'Name',
    signInHint: 'This is a demo shop: any e-mail signs you in as the customer of that e-mail.',
    consentText: 'We analyse visits to improve your shopping.',
    consentAllow: 'Allow',
    consentDeny: 'Decline',
    noKey: 'This demo shop has no write key, so it sends no events. Open /demo-shop?key=wk_… (Settings → API keys, or npx rapport create-key --kind write).',
    language: '한국어',
    departments: { women: 'Women', men: 'Men', beauty: 'Beauty', home: 'Home', kids: 'Kids' },
    card: 'Credit card',
    naverpay: 'Naver Pay',
    kakaopay: 'KakaoPay',
    bankTransfer: 'Bank transfer',
    standard: 'Standard delivery',
    dawn: 'Dawn delivery',
  },
} as const;
type Strings = (typeof STRINGS)[Lang];

const esc = (v: unknown) =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export function formatPrice(amount: number, lang: Lang): string {
  return lang === 'ko' ? `${amount.toLocaleString('ko-KR')}원` : `₩${amount.toLocaleString('en-US')}`;
}

const nameOf = (p: SyntheticProduct, lang: Lang) => (lang === 'ko' ? p.name : p.nameEn);
const brandOf = (p: SyntheticProduct, lang: Lang) => (lang === 'ko' ? p.brand : p.brandEn);
const categoryOf = (p: SyntheticProduct, lang: Lang) => (lang === 'ko' ? p.category : p.categoryEn);

/** What the tracker reads off an element: the catalogue's (Korean) names, whatever the page language. */
function productData(p: SyntheticProduct): string {
  return [
    `data-sku="${esc(p.sku)}"`,
    `data-name="${esc(p.name)}"`,
    `data-brand="${esc(p.brand)}"`,
    `data-category="${esc(p.category)}"`,
    `data-price="${p.price}"`,
    `data-currency="${esc(p.currency)}"`,
    `data-url="${esc(p.url)}"`,
    `data-image-url="${esc(p.imageUrl)}"`,
  ].join(' ');
}

function card(p: SyntheticProduct, lang: Lang): string {
  return `<li class="card" ${productData(p)} data-testid="product-card">
  <a href="${esc(p.url)}" data-testid="product-link">
    <img src="${esc(p.imageUrl)}" alt="${esc(nameOf(p, lang))}" width="240" height="300" loading="lazy">
    <span class="brand">${esc(brandOf(p, lang))}</span>
    <span class="name">${esc(nameOf(p, lang))}</span>
    <span class="price">${esc(formatPrice(p.price, lang))}</span>
  </a>
</li>`;
}

function grid(list: readonly SyntheticProduct[], lang: Lang, listId: string, category?: string): string {
  return `<ul class="grid" data-rapport-list="${esc(listId)}"${category ? ` data-category="${esc(category)}"` : ''}>
${list.map((p) => card(p, lang)).join('\n')}
</ul>`;
}

export type Shelf = { department: string; key: string; label: string; path: string };

/** The department/category pairs of the catalogue, in catalogue order. */
export function shelvesOf(catalogue: readonly SyntheticProduct[], lang: Lang): Shelf[] {
  const seen = new Map<string, Shelf>();
  for (const p of catalogue) {
    const id = `${p.department}/${p.categoryKey}`;
    if (seen.has(id)) continue;
    const levels = categoryOf(p, lang).split(' > ');
    seen.set(id, { department: p.department, key: p.categoryKey, label: levels[1] ?? levels[0]!, path: levels.slice(0, 2).join(' > ') });
  }
  return [...seen.values()];
}

export type PageOptions = {
  lang: Lang;
  /** The write key to embed; null: no tracker, and a notice saying how to give one. */
  writeKey: string | null;
  /** The current path, for the language switch. */
  path: string;
  catalogue: readonly SyntheticProduct[];
};

function layout(o: PageOptions, title: string, main: string, pageName: string): string {
  const t = STRINGS[o.lang];
  const shelves = shelvesOf(o.catalogue, o.lang);
  const departments = [...new Set(shelves.map((s) => s.department))];
  const nav = departments
    .map((d) => {
      const links = shelves
        .filter((s) => s.department === d)
        .map((s) => `<a href="/demo-shop/c/${esc(s.department)}/${esc(s.key)}">${esc(s.label)}</a>`)
        .join('');
      return `<div class="dept"><span>${esc(t.departments[d as keyof Strings['departments']])}</span><div class="menu">${links}</div></div>`;
    })
    .join('');
  const otherLang = o.lang === 'ko' ? 'en' : 'ko';
  // The shop asks for consent (the bar below), so the tracker sends nothing until it is given,
  // as docs/tracker.md tells shops to do: the calls made meanwhile are held and sent then.
  const tracker = o.writeKey
    ? `<script>window.rapport=window.rapport||function(){(rapport.q=rapport.q||[]).push(arguments)};</script>
<script src="/t.js" data-write-key="${esc(o.writeKey)}" data-currency="KRW" data-auto-page="false" data-require-consent="true" async></script>`
    : `<script>window.rapport=function(){};</script>`;
  const shopData = JSON.stringify({ lang: o.lang, page: pageName, strings: t }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(t.shopName)}</title>
<link rel="stylesheet" href="/demo-shop/shop.css">
${tracker}
<script id="shop-data" type="application/json">${shopData}</script>
<script src="/demo-shop/shop.js" defer></script>
</head>
<body data-page="${esc(pageName)}">
${o.writeKey ? '' : `<p class="notice" role="alert" data-testid="no-key">${esc(t.noKey)}</p>`}
<header class="top">
  <a class="logo" href="/demo-shop">${esc(t.shopName)}</a>
  <nav class="departments">${nav}</nav>
  <div class="tools">
    <a href="${esc(o.path)}${o.path.includes('?') ? '&' : '?'}lang=${otherLang}" class="lang">${esc(t.language)}</a>
    <span class="user" data-testid="user-name"></span>
    <a href="/demo-shop/signin" class="signin" data-testid="sign-in-link">${esc(t.signIn)}</a>
    <button type="button" class="signout" data-testid="sign-out" hidden>${esc(t.signOut)}</button>
    <a href="/demo-shop/cart" class="cart-link" data-testid="cart-link">${esc(t.cart)} <span class="count" data-testid="cart-count">0</span></a>
  </div>
</header>
<main>
${main}
</main>
<footer>
  <p>${esc(t.freeShipping)} · ${esc(t.tagline)}</p>
  <div class="consent" data-testid="consent">
    <span>${esc(t.consentText)}</span>
    <button type="button" data-consent="true" data-testid="consent-allow">${esc(t.consentAllow)}</button>
    <button type="button" data-consent="false" data-testid="consent-deny">${esc(t.consentDeny)}</button>
  </div>
</footer>
</body>
</html>
`;
}

/** Best-sellers first: what a shop's front page shows. */
function popular(list: readonly SyntheticProduct[], n: number): SyntheticProduct[] {
  return [...list].sort((a, b) => b.popularity - a.popularity || a.sku.localeCompare(b.sku)).slice(0, n);
}

export function renderHome(o: PageOptions): string {
  const t = STRINGS[o.lang];
  // One from each shelf in turn, so the front page shows the whole shop.
  const shelves = shelvesOf(o.catalogue, o.lang);
  const picks: SyntheticProduct[] = [];
  for (let round = 0; picks.length < 16 && round < 4; round++) {
    for (const s of shelves) {
      const p = popular(o.catalogue.filter((x) => x.department === s.department && x.categoryKey === s.key), round + 1)[round];
      if (p && picks.length < 16) picks.push(p);
    }
  }
  const main = `<section class="hero">
  <h1>${esc(t.tagline)}</h1>
  <a href="/demo-shop/c/women/outer" class="promo" data-rapport-click="Promo Banner Clicked" data-rapport-promo="autumn-sale" data-testid="promo">${esc(t.promo)} → ${esc(t.promoCta)}</a>
</section>
<h2>${esc(t.newArrivals)}</h2>
${grid(picks, o.lang, 'home-new-arrivals')}`;
  return layout(o, t.newArrivals, main, 'Home');
}

export function renderCategory(o: PageOptions, department: string, key: string): string | undefined {
  const list = popular(
    o.catalogue.filter((p) => p.department === department && p.categoryKey === key),
    Infinity,
  );
  if (list.length === 0) return undefined;
  const shelf = shelvesOf(o.catalogue, o.lang).find((s) => s.department === department && s.key === key)!;
  const korean = list[0]!.category.split(' > ').slice(0, 2).join(' > ');
  const main = `<h1 data-testid="category-title">${esc(shelf.path)}</h1>
${grid(list, o.lang, `${department}-${key}`, korean)}`;
  return layout(o, shelf.path, main, 'Category');
}

export function renderProduct(o: PageOptions, sku: string): string | undefined {
  const p = o.catalogue.find((x) => x.sku === sku);
  if (!p) return undefined;
  const t = STRINGS[o.lang];
  const related = popular(
    o.catalogue.filter((x) => x.categoryKey === p.categoryKey && x.sku !== p.sku),
    4,
  );
  const sizes = p.attributes.sizes
    .map((s, i) => `<label><input type="radio" name="size" value="${esc(s)}"${i === 0 ? ' checked' : ''}> ${esc(s)}</label>`)
    .join('');
  const main = `<article class="product" data-rapport-product ${productData(p)}>
  <img src="${esc(p.imageUrl)}" alt="${esc(nameOf(p, o.lang))}" width="480" height="600">
  <div class="info">
    <p class="crumbs">${esc(categoryOf(p, o.lang))}</p>
    <p class="brand">${esc(brandOf(p, o.lang))}</p>
    <h1 data-testid="product-name">${esc(nameOf(p, o.lang))}</h1>
    <p class="price" data-testid="product-price">${esc(formatPrice(p.price, o.lang))}</p>
    <fieldset class="sizes"><legend>${esc(t.size)}</legend>${sizes}</fieldset>
    <div class="actions">
      <button type="button" class="primary" data-action="add-to-cart" data-testid="add-to-cart">${esc(t.addToCart)}</button>
      <button type="button" data-action="wishlist" data-testid="wishlist">♡ ${esc(t.wishlist)}</button>
    </div>
    <p class="flash" data-testid="flash" role="status"></p>
    <details data-rapport-click="Size Guide Opened" data-rapport-sku="${esc(p.sku)}"><summary>${esc(t.sizeGuide)}</summary><p>${esc(t.sizeGuideText)}</p></details>
    <details data-rapport-click="Reviews Opened" data-rapport-sku="${esc(p.sku)}"><summary>${esc(t.reviews)}</summary><p>${esc(t.reviewsText)}</p></details>
  </div>
</article>
<h2>${esc(t.related)}</h2>
${grid(related, o.lang, 'related', p.category.split(' > ').slice(0, 2).join(' > '))}`;
  return layout(o, nameOf(p, o.lang), main, 'Product');
}

export function renderCart(o: PageOptions): string {
  const t = STRINGS[o.lang];
  const main = `<h1>${esc(t.cart)}</h1>
<div class="cart" data-testid="cart"><p class="empty">${esc(t.emptyCart)}</p></div>
<p><a href="/demo-shop">${esc(t.continueShopping)}</a></p>`;
  return layout(o, t.cart, main, 'Cart');
}

export function renderCheckout(o: PageOptions): string {
  const t = STRINGS[o.lang];
  const main = `<h1>${esc(t.checkoutTitle)}</h1>
<div class="checkout">
  <form class="step" data-step="1" data-testid="shipping-form">
    <h2>${esc(t.shippingStep)}</h2>
    <label>${esc(t.recipient)} <input name="recipient" required autocomplete="name"></label>
    <label>${esc(t.phone)} <input name="phone" required autocomplete="tel" placeholder="010-1234-5678"></label>
    <label>${esc(t.address)} <input name="address" required autocomplete="street-address"></label>
    <label><input type="radio" name="shipping_method" value="standard" checked> ${esc(t.standard)}</label>
    <label><input type="radio" name="shipping_method" value="dawn_delivery"> ${esc(t.dawn)}</label>
    <button type="submit" class="primary" data-testid="shipping-next">${esc(t.next)}</button>
  </form>
  <form class="step" data-step="2" data-testid="payment-form" hidden>
    <h2>${esc(t.paymentStep)}</h2>
    <label><input type="radio" name="payment_method" value="card" checked> ${esc(t.card)}</label>
    <label><input type="radio" name="payment_method" value="naverpay"> ${esc(t.naverpay)}</label>
    <label><input type="radio" name="payment_method" value="kakaopay"> ${esc(t.kakaopay)}</label>
    <label><input type="radio" name="payment_method" value="bank_transfer"> ${esc(t.bankTransfer)}</label>
    <button type="submit" class="primary" data-testid="place-order">${esc(t.placeOrder)}</button>
  </form>
  <aside class="summary" data-testid="summary"></aside>
</div>`;
  return layout(o, t.checkoutTitle, main, 'Checkout');
}

export function renderOrder(o: PageOptions): string {
  const t = STRINGS[o.lang];
  const main = `<h1 data-testid="order-done">${esc(t.orderDone)}</h1>
<p>${esc(t.orderNumber)}: <strong data-testid="order-id"></strong></p>
<div class="summary" data-testid="order-summary"></div>
<p><a href="/demo-shop">${esc(t.continueShopping)}</a></p>`;
  return layout(o, t.orderDone, main, 'Order Complete');
}

export function renderSignIn(o: PageOptions): string {
  const t = STRINGS[o.lang];
  const main = `<h1>${esc(t.signInTitle)}</h1>
<form class="signin-form" data-testid="sign-in-form">
  <label>${esc(t.email)} <input type="email" name="email" required autocomplete="email"></label>
  <label>${esc(t.name)} <input name="name" required autocomplete="name"></label>
  <button type="submit" class="primary" data-testid="sign-in">${esc(t.signIn)}</button>
  <p class="hint">${esc(t.signInHint)}</p>
</form>`;
  return layout(o, t.signInTitle, main, 'Sign In');
}

/** A product picture: the colour of the product and its kind, drawn as a small SVG. */
export function productSvg(p: SyntheticProduct): string {
  const fill = p.attributes.colourHex;
  const dark = ['#2b2b2b', '#4a4e54', '#2c3e63', '#7b5138', '#7d7a4f'].includes(fill);
  const ink = dark ? '#f7f3ea' : '#2b2b2b';
  const kind = p.categoryEn.split(' > ').slice(-1)[0]!;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="600" viewBox="0 0 480 600" role="img" aria-label="${esc(p.nameEn)}">
<rect width="480" height="600" fill="#f4f1ec"/>
<rect x="70" y="80" width="340" height="400" rx="28" fill="${esc(fill)}"/>
<text x="240" y="270" font-family="sans-serif" font-size="30" font-weight="700" text-anchor="middle" fill="${ink}">${esc(p.brandEn)}</text>
<text x="240" y="312" font-family="sans-serif" font-size="22" text-anchor="middle" fill="${ink}">${esc(kind)}</text>
<text x="240" y="545" font-family="sans-serif" font-size="20" text-anchor="middle" fill="#6b6259">${esc(p.sku)}</text>
</svg>`;
}
