// The demo shop's behaviour in the browser: a cart in localStorage, a checkout, a pretend sign-in,
// and the tracker calls a real shop would make (rapport.js does the rest from the markup).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('shop-data').textContent);
  var t = data.strings;
  var lang = data.lang;
  var KEYS = { cart: 'demo_shop_cart', cartId: 'demo_shop_cart_id', user: 'demo_shop_user', order: 'demo_shop_last_order', consent: 'demo_shop_consent' };
  var FREE_SHIPPING_FROM = 50000;
  var SHIPPING_FEE = 3000;

  function rapport() {
    window.rapport.apply(null, arguments);
  }
  function load(key, fallback) {
    try {
      var v = JSON.parse(localStorage.getItem(key));
      return v === null ? fallback : v;
    } catch (e) {
      return fallback;
    }
  }
  function save(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* private mode: the cart lasts this page only */
    }
  }
  function $(selector, root) {
    return (root || document).querySelector(selector);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function price(n) {
    return lang === 'ko' ? n.toLocaleString('ko-KR') + '원' : '₩' + n.toLocaleString('en-US');
  }
  function randomHex(n) {
    var out = '';
    for (var i = 0; i < n; i++) out += Math.floor(Math.random() * 16).toString(16);
    return out;
  }
  /** A stable user id for an e-mail (the demo has no accounts): FNV-1a, twice. */
  function userIdOf(email) {
    var s = email.trim().toLowerCase();
    var h1 = 0x811c9dc5;
    var h2 = 0x01000193;
    for (var i = 0; i < s.length; i++) {
      h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x811c9dc5) >>> 0;
    }
    return 'shop-' + ('0000000' + h1.toString(16)).slice(-8) + ('0000000' + h2.toString(16)).slice(-8);
  }

  // --- the cart -----------------------------------------------------------------------------
  function cart() {
    return load(KEYS.cart, []);
  }
  function cartId() {
    var id = load(KEYS.cartId, null);
    if (!id) {
      id = 'cart-' + randomHex(16);
      save(KEYS.cartId, id);
    }
    return id;
  }
  function totals(lines) {
    var subtotal = 0;
    lines.forEach(function (l) {
      subtotal += l.price * l.quantity;
    });
    var shipping = subtotal === 0 || subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
    return { subtotal: subtotal, shipping: shipping, total: subtotal + shipping };
  }
  /** A cart line as the tracker's e-commerce helpers take it. */
  function tracked(l) {
    return { product_id: l.sku, sku: l.sku, name: l.name, brand: l.brand, category: l.category, price: l.price, quantity: l.quantity, variant: l.variant, currency: 'KRW', url: l.url, image_url: l.image_url };
  }
  function productOnPage() {
    var node = $('[data-rapport-product]');
    if (!node) return null;
    var size = $('input[name="size"]:checked', node);
    return {
      sku: node.getAttribute('data-sku'),
      name: node.getAttribute('data-name'),
      shown: $('[data-testid="product-name"]', node).textContent,
      brand: node.getAttribute('data-brand'),
      category: node.getAttribute('data-category'),
      price: Number(node.getAttribute('data-price')),
      url: node.getAttribute('data-url'),
      image_url: node.getAttribute('data-image-url'),
      variant: size ? size.value : undefined,
      quantity: 1,
    };
  }

  function renderHeader() {
    var count = 0;
    cart().forEach(function (l) {
      count += l.quantity;
    });
    $('[data-testid="cart-count"]').textContent = String(count);
    var user = load(KEYS.user, null);
    $('[data-testid="user-name"]').textContent = user ? user.name + t.hello : '';
    $('[data-testid="sign-in-link"]').hidden = !!user;
    $('[data-testid="sign-out"]').hidden = !user;
  }

  function flash(text) {
    var node = $('[data-testid="flash"]');
    if (node) node.textContent = text;
  }

  function productPage() {
    $('[data-action="add-to-cart"]').addEventListener('click', function () {
      var p = productOnPage();
      var lines = cart();
      var same = lines.filter(function (l) {
        return l.sku === p.sku && l.variant === p.variant;
      })[0];
      if (same) same.quantity += 1;
      else lines.push(p);
      save(KEYS.cart, lines);
      rapport('addToCart', Object.assign(tracked(p), { cart_id: cartId() }));
      renderHeader();
      flash(t.added);
    });
    $('[data-action="wishlist"]').addEventListener('click', function () {
      rapport('addToWishlist', tracked(productOnPage()));
      flash(t.wishlisted);
    });
  }

  function summary(node, lines) {
    var sums = totals(lines);
    node.textContent = '';
    var list = el('ul', { class: 'lines' });
    lines.forEach(function (l) {
      list.appendChild(el('li', {}, (l.shown || l.name) + (l.variant && l.variant !== 'FREE' ? ' (' + l.variant + ')' : '') + ' × ' + l.quantity + ' · ' + price(l.price * l.quantity)));
    });
    node.appendChild(list);
    node.appendChild(el('p', {}, t.subtotal + ': ' + price(sums.subtotal)));
    node.appendChild(el('p', {}, t.shipping + ': ' + price(sums.shipping)));
    node.appendChild(el('p', { class: 'total', 'data-testid': 'total' }, t.total + ': ' + price(sums.total)));
  }

  function cartPage(viewed) {
    var root = $('[data-testid="cart"]');
    var lines = cart();
    if (!lines.length) return;
    root.textContent = '';
    var table = el('ul', { class: 'cart-lines' });
    lines.forEach(function (l, i) {
      var row = el('li', { 'data-testid': 'cart-line', 'data-sku': l.sku });
      row.appendChild(el('img', { src: l.image_url, alt: '', width: '80', height: '100' }));
      row.appendChild(el('span', { class: 'name' }, (l.shown || l.name) + (l.variant && l.variant !== 'FREE' ? ' (' + l.variant + ')' : '')));
      row.appendChild(el('span', {}, t.quantity + ' ' + l.quantity));
      row.appendChild(el('span', {}, price(l.price * l.quantity)));
      var remove = el('button', { type: 'button', 'data-testid': 'remove' }, t.remove);
      remove.addEventListener('click', function () {
        var now = cart();
        var gone = now.splice(i, 1)[0];
        save(KEYS.cart, now);
        rapport('removeFromCart', Object.assign(tracked(gone), { cart_id: cartId() }));
        cartPage(false);
        if (!now.length) root.innerHTML = '<p class="empty">' + t.emptyCart + '</p>';
        renderHeader();
      });
      row.appendChild(remove);
      table.appendChild(row);
    });
    root.appendChild(table);
    var sums = el('div', { class: 'summary' });
    summary(sums, lines);
    root.appendChild(sums);
    root.appendChild(el('a', { href: '/demo-shop/checkout', class: 'button primary', 'data-testid': 'checkout' }, t.checkout));
    if (viewed) rapport('track', 'Cart Viewed', { cart_id: cartId(), products: lines.map(tracked) });
  }

  function checkoutPage() {
    var lines = cart();
    if (!lines.length) {
      location.replace('/demo-shop/cart');
      return;
    }
    var sums = totals(lines);
    summary($('[data-testid="summary"]'), lines);
    rapport('checkoutStep', 'started', { checkout_id: cartId(), cart_id: cartId(), value: sums.subtotal, revenue: sums.subtotal, currency: 'KRW', products: lines.map(tracked) });
    var shippingForm = $('[data-testid="shipping-form"]');
    var paymentForm = $('[data-testid="payment-form"]');
    var shippingMethod = 'standard';
    var addressGiven = false;
    function showStep(step) {
      shippingForm.hidden = step !== 1;
      paymentForm.hidden = step !== 2;
    }
    showStep(1);
    shippingForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!shippingForm.reportValidity()) return;
      addressGiven = true;
      shippingMethod = shippingForm.elements.shipping_method.value;
      rapport('checkoutStep', 1, { checkout_id: cartId(), shipping_method: shippingMethod });
      showStep(2);
    });
    paymentForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      // No order without a delivery address: back to the first step.
      if (!addressGiven || !shippingForm.checkValidity()) {
        addressGiven = false;
        showStep(1);
        shippingForm.reportValidity();
        return;
      }
      var paymentMethod = paymentForm.elements.payment_method.value;
      rapport('checkoutStep', 2, { checkout_id: cartId(), payment_method: paymentMethod });
      var now = new Date();
      var orderId = 'DS-' + now.toISOString().slice(0, 10).replace(/-/g, '') + '-' + randomHex(6).toUpperCase();
      var order = {
        order_id: orderId,
        checkout_id: cartId(),
        subtotal: sums.subtotal,
        discount: 0,
        shipping: sums.shipping,
        total: sums.total,
        revenue: sums.subtotal,
        currency: 'KRW',
        products: lines.map(tracked),
      };
      rapport('orderCompleted', order);
      save(KEYS.order, { id: orderId, lines: lines });
      save(KEYS.cart, null);
      save(KEYS.cartId, null);
      location.href = '/demo-shop/order';
    });
  }

  function orderPage() {
    var order = load(KEYS.order, null);
    if (!order) return;
    $('[data-testid="order-id"]').textContent = order.id;
    summary($('[data-testid="order-summary"]'), order.lines);
  }

  function signInPage() {
    var form = $('[data-testid="sign-in-form"]');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var email = form.elements.email.value.trim();
      var name = form.elements.name.value.trim();
      rapport('identify', userIdOf(email), { email: email, name: name });
      save(KEYS.user, { email: email, name: name });
      var next = new URLSearchParams(location.search).get('next');
      location.href = next && next.indexOf('/demo-shop') === 0 ? next : '/demo-shop';
    });
  }

  function consentBar() {
    var bar = $('[data-testid="consent"]');
    if (load(KEYS.consent, null) !== null) bar.hidden = true;
    bar.addEventListener('click', function (ev) {
      var choice = ev.target.getAttribute && ev.target.getAttribute('data-consent');
      if (choice === null || choice === undefined) return;
      rapport('consent', choice === 'true');
      save(KEYS.consent, choice === 'true');
      bar.hidden = true;
    });
  }

  $('[data-testid="sign-out"]').addEventListener('click', function () {
    rapport('reset');
    save(KEYS.user, null);
    renderHeader();
  });

  rapport('page', data.page);
  renderHeader();
  consentBar();
  if (data.page === 'Product') productPage();
  if (data.page === 'Cart') cartPage(true);
  if (data.page === 'Checkout') checkoutPage();
  if (data.page === 'Order Complete') orderPage();
  if (data.page === 'Sign In') signInPage();
})();
