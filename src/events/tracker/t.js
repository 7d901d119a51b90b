/*! rapport.js: Rapport's first-party browser tracker. No dependencies, no third-party cookies.
 *
 * <script src="https://crm.example.com/t.js" data-write-key="wk_…" async></script>
 * <script>window.rapport=window.rapport||function(){(rapport.q=rapport.q||[]).push(arguments)};</script>
 *
 * Options (data-* on the script tag): data-write-key (required), data-host (default: where t.js
 * comes from), data-require-consent="true" (send nothing until rapport('consent', true)),
 * data-auto-page="false" (no automatic page view), data-currency (default for products).
 *
 * Commands: rapport('page', name?, properties?), rapport('track', event, properties?),
 * rapport('identify', userId, traits?, { userHash }?), rapport('consent', true|false), rapport('reset'),
 * rapport('addToCart' | 'removeFromCart' | 'addToWishlist', product),
 * rapport('checkoutStep', step, properties?) (step 0 or 'started': Checkout Started),
 * rapport('orderCompleted', order), rapport('flush'), rapport('push.subscribe', { userHash }?) and
 * rapport('push.unsubscribe') (web push, in t-push.js; data-push-worker: the service worker's path
 * on the shop's site, default /rapport-sw.js). docs/tracker.md describes it all.
 */
(function () {
  'use strict';
  var w = window;
  var d = document;
  var nav = navigator;
  var existing = w.rapport;
  if (existing && existing.loaded) return;

  var VERSION = '1.0.0';
  var SESSION_IDLE_MS = 30 * 60 * 1000;
  var FLUSH_DELAY_MS = 250;
  var MAX_BATCH_ITEMS = 20;
  // keepalive requests and beacons may carry 64 KB in all; stay well below.
  var MAX_BATCH_BYTES = 48 * 1024;
  var MAX_QUEUE = 500;
  var KEYS = { anonymousId: 'rapport_aid', userId: 'rapport_uid', consent: 'rapport_consent', session: 'rapport_session', queue: 'rapport_queue' };

  // --- configuration ------------------------------------------------------------------------
  var script = d.currentScript || d.querySelector('script[data-write-key]');
  function attr(name) {
    return script ? script.getAttribute('data-' + name) : null;
  }
  var scriptOrigin = '';
  try {
    scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  } catch (e) {
    scriptOrigin = location.origin;
  }
  var config = {
    writeKey: attr('write-key') || '',
    host: (attr('host') || scriptOrigin).replace(/\/+$/, ''),
    requireConsent: attr('require-consent') === 'true',
    autoPage: attr('auto-page') !== 'false',
    currency: attr('currency') || undefined,
  };

  // Do-Not-Track and Global Privacy Control: the tracker does nothing at all, stores nothing.
  var doNotTrack = nav.doNotTrack === '1' || w.doNotTrack === '1' || nav.msDoNotTrack === '1' || nav.globalPrivacyControl === true;

  // --- first-party storage: localStorage, else a first-party cookie ---------------------------
  function storageOk(kind) {
    try {
      var s = w[kind];
      s.setItem('rapport_test', '1');
      s.removeItem('rapport_test');
      return s;
    } catch (e) {
      return null;
    }
  }
  var local = storageOk('localStorage');
  var session = storageOk('sessionStorage');
  var memory = {};

  function readCookie(name) {
    var parts = d.cookie ? d.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function writeCookie(name, value, maxAgeSeconds) {
    var secure = location.protocol === 'https:' ? '; Secure' : '';
    d.cookie = name + '=' + encodeURIComponent(value) + '; Path=/; Max-Age=' + maxAgeSeconds + '; SameSite=Lax' + secure;
  }
  /** Long-lived values (ids, consent): localStorage, falling back to a first-party cookie. */
  function getLasting(key) {
    if (local) return local.getItem(key);
    return readCookie(key);
  }
  function setLasting(key, value) {
    if (value === null) {
      if (local) local.removeItem(key);
      if (readCookie(key) !== null) writeCookie(key, '', 0);
      return;
    }
    if (local) local.setItem(key, value);
    else writeCookie(key, value, 365 * 24 * 3600);
  }
  /** Per-tab values (the session, the unsent queue): sessionStorage, else memory. */
  function getTab(key) {
    return session ? session.getItem(key) : memory[key] || null;
  }
  function setTab(key, value) {
    if (session) {
      if (value === null) session.removeItem(key);
      else session.setItem(key, value);
    } else {
      memory[key] = value;
    }
  }

  // --- ids ------------------------------------------------------------------------------------
  function uuid() {
    if (w.crypto && typeof w.crypto.randomUUID === 'function') return w.crypto.randomUUID();
    var b = new Uint8Array(16);
    if (w.crypto && w.crypto.getRandomValues) w.crypto.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = [];
    for (var j = 0; j < 16; j++) h.push((b[j] + 0x100).toString(16).slice(1));
    return h.slice(0, 4).join('') + '-' + h.slice(4, 6).join('') + '-' + h.slice(6, 8).join('') + '-' + h.slice(8, 10).join('') + '-' + h.slice(10).join('');
  }

  var consent = getLasting(KEYS.consent); // 'granted' | 'denied' | null
  function allowed() {
    if (doNotTrack || !config.writeKey) return false;
    if (consent === 'denied') return false;
    if (config.requireConsent && consent !== 'granted') return false;
    return true;
  }
  // Until storage is allowed (consent required and not given), ids live in memory only.
  var ids = { anonymousId: null, userId: null };
  function storageAllowed() {
    return !doNotTrack && consent !== 'denied' && (!config.requireConsent || consent === 'granted');
  }
  function anonymousId() {
    if (!ids.anonymousId) ids.anonymousId = (storageAllowed() && getLasting(KEYS.anonymousId)) || uuid();
    if (storageAllowed() && getLasting(KEYS.anonymousId) !== ids.anonymousId) setLasting(KEYS.anonymousId, ids.anonymousId);
    return ids.anonymousId;
  }
  function userId() {
    if (ids.userId === null && storageAllowed()) ids.userId = getLasting(KEYS.userId);
    return ids.userId;
  }

  /** The visit: a new one after 30 minutes without an event (per tab). */
  function sessionId(now) {
    var s = null;
    try {
      // Before storage is allowed the visit lives in memory (as it is kept below), not in the tab.
      s = JSON.parse((storageAllowed() ? getTab(KEYS.session) : memory[KEYS.session]) || 'null');
    } catch (e) {
      s = null;
    }
    if (!s || typeof s.id !== 'string' || now - s.last > SESSION_IDLE_MS) s = { id: uuid(), last: now };
    s.last = now;
    if (storageAllowed()) setTab(KEYS.session, JSON.stringify(s));
    else memory[KEYS.session] = JSON.stringify(s);
    return s.id;
  }

  // --- messages -------------------------------------------------------------------------------
  function pageContext() {
    return { path: location.pathname, referrer: d.referrer, search: location.search, title: d.title, url: location.href };
  }
  function message(type, fields) {
    var now = Date.now();
    var m = {
      type: type,
      messageId: uuid(),
      timestamp: new Date(now).toISOString(),
      anonymousId: anonymousId(),
      context: {
        page: pageContext(),
        userAgent: nav.userAgent,
        locale: nav.language,
        library: { name: 'rapport.js', version: VERSION },
        sessionId: sessionId(now),
      },
    };
    try {
      m.context.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      /* older browsers */
    }
    var uid = userId();
    if (uid) m.userId = uid;
    for (var k in fields) if (fields[k] !== undefined) m[k] = fields[k];
    return m;
  }

  // --- the queue: kept per tab until the server has it, resent with the same messageIds -------
  var queue = [];
  var waiting = [];
  var inFlight = {};
  var timer = null;
  var retryDelay = 0;
  try {
    queue = JSON.parse(getTab(KEYS.queue) || '[]');
    if (!Array.isArray(queue)) queue = [];
  } catch (e) {
    queue = [];
  }
  function persist() {
    if (storageAllowed()) setTab(KEYS.queue, queue.length ? JSON.stringify(queue) : null);
  }
  function enqueue(m) {
    if (doNotTrack || consent === 'denied') return;
    if (!allowed()) {
      // Consent required but not given yet: hold a little in memory, send once it is given.
      if (waiting.length < 100) waiting.push(m);
      return;
    }
    queue.push(m);
    if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
    persist();
    schedule(FLUSH_DELAY_MS);
  }
  function schedule(delay) {
    if (timer !== null) return;
    timer = setTimeout(function () {
      timer = null;
      flush(false);
    }, delay);
  }
  /** Splits the unsent messages into batches small enough for keepalive and beacons. */
  function batches(items) {
    var out = [];
    var current = [];
    var size = 0;
    for (var i = 0; i < items.length; i++) {
      var bytes = JSON.stringify(items[i]).length * 3; // worst case of UTF-8
      if (current.length && (current.length >= MAX_BATCH_ITEMS || size + bytes > MAX_BATCH_BYTES)) {
        out.push(current);
        current = [];
        size = 0;
      }
      current.push(items[i]);
      size += bytes;
    }
    if (current.length) out.push(current);
    return out;
  }
  function body(items) {
    var sentAt = new Date().toISOString();
    for (var i = 0; i < items.length; i++) items[i].sentAt = sentAt;
    return JSON.stringify({ batch: items, sentAt: sentAt, writeKey: config.writeKey });
  }
  function drop(items) {
    var gone = {};
    for (var i = 0; i < items.length; i++) gone[items[i].messageId] = true;
    queue = queue.filter(function (m) {
      return !gone[m.messageId];
    });
    persist();
  }
  function release(items) {
    for (var i = 0; i < items.length; i++) delete inFlight[items[i].messageId];
  }
  function retryLater() {
    // Exponential back-off with jitter, up to a minute; the messages keep their ids.
    retryDelay = Math.min(60000, retryDelay ? retryDelay * 2 : 1000);
    schedule(retryDelay / 2 + Math.random() * (retryDelay / 2));
  }
  function send(items) {
    for (var i = 0; i < items.length; i++) inFlight[items[i].messageId] = true;
    var done = function (ok, retry) {
      release(items);
      if (ok || !retry) {
        drop(items);
        if (ok) retryDelay = 0;
        if (queue.length) schedule(FLUSH_DELAY_MS);
      } else {
        retryLater();
      }
    };
    try {
      fetch(config.host + '/v1/batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(items), keepalive: true, credentials: 'omit' }).then(
        function (res) {
          // 2xx: stored (bad items are reported and not worth resending); 429 and 5xx: later;
          // other 4xx (a wrong key, a malformed message) would fail again.
          done(res.ok, res.status === 429 || res.status >= 500);
        },
        function () {
          done(false, true);
        },
      );
    } catch (e) {
      done(false, true);
    }
  }
  function flush(leaving) {
    if (!allowed()) return;
    var ready = queue.filter(function (m) {
      return !inFlight[m.messageId];
    });
    if (!ready.length) return;
    var groups = batches(ready);
    for (var i = 0; i < groups.length; i++) {
      if (leaving && nav.sendBeacon) {
        // The page is going away: a beacon outlives it. text/plain needs no CORS preflight.
        var ok = false;
        try {
          ok = nav.sendBeacon(config.host + '/v1/b', new Blob([body(groups[i])], { type: 'text/plain' }));
        } catch (e) {
          ok = false;
        }
        if (ok) drop(groups[i]);
        else send(groups[i]);
      } else {
        send(groups[i]);
      }
    }
  }

  // --- the API --------------------------------------------------------------------------------
  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
  function num(v) {
    if (v === undefined || v === null || v === '') return undefined;
    var n = typeof v === 'number' ? v : Number(String(v).replace(/,/g, ''));
    return isFinite(n) ? n : undefined;
  }
  /** A product in Segment's e-commerce v2 shape from what the page gives. */
  function product(p) {
    p = p || {};
    var out = {
      product_id: String(p.product_id || p.productId || p.id || p.sku || ''),
      sku: p.sku !== undefined ? String(p.sku) : undefined,
      name: p.name,
      brand: p.brand,
      category: p.category,
      variant: p.variant,
      price: num(p.price),
      quantity: num(p.quantity),
      currency: p.currency || config.currency,
      position: num(p.position),
      coupon: p.coupon,
      url: p.url,
      image_url: p.image_url || p.imageUrl,
      cart_id: p.cart_id || p.cartId,
    };
    for (var k in out) if (out[k] === undefined || out[k] === '') delete out[k];
    return out;
  }
  function track(event, properties) {
    if (typeof event !== 'string' || !event) return;
    enqueue(message('track', { event: event, properties: isObject(properties) ? properties : {} }));
  }
  function page(name, properties) {
    if (isObject(name)) {
      properties = name;
      name = undefined;
    }
    var props = pageContext();
    if (isObject(properties)) for (var k in properties) props[k] = properties[k];
    enqueue(message('page', { name: typeof name === 'string' ? name : undefined, properties: props }));
    scanProduct();
  }
  // options.userHash (or traits.userHash): HMAC-SHA256 of the user id made by the shop's server
  // with the workspace's identity-verification secret. Without it the call may not change a
  // known customer nor link this browser to them (docs/tracker.md).
  function identify(id, traits, options) {
    if (isObject(id)) {
      options = traits;
      traits = id;
      id = undefined;
    }
    if (id !== undefined && id !== null && id !== '') {
      ids.userId = String(id);
      if (storageAllowed()) setLasting(KEYS.userId, ids.userId);
    }
    var t = {};
    if (isObject(traits)) for (var k in traits) if (k !== 'userHash') t[k] = traits[k];
    var hash = isObject(options) && typeof options.userHash === 'string' ? options.userHash : isObject(traits) && typeof traits.userHash === 'string' ? traits.userHash : undefined;
    var m = message('identify', { traits: t });
    if (hash) m.context.userHash = hash;
    enqueue(m);
  }
  function reset() {
    ids.userId = null;
    ids.anonymousId = null;
    setLasting(KEYS.userId, null);
    setLasting(KEYS.anonymousId, null);
    setTab(KEYS.session, null);
  }
  function setConsent(granted) {
    if (granted) {
      consent = 'granted';
      setLasting(KEYS.consent, 'granted');
      if (doNotTrack) return;
      var held = waiting;
      waiting = [];
      for (var i = 0; i < held.length; i++) queue.push(held[i]);
      anonymousId(); // now it may be stored
      // The visit the held calls belong to goes on (it was kept in memory until now).
      if (memory[KEYS.session] && !getTab(KEYS.session)) setTab(KEYS.session, memory[KEYS.session]);
      persist();
      schedule(FLUSH_DELAY_MS);
    } else {
      // Stop: nothing queued is sent and nothing identifying stays behind.
      consent = 'denied';
      queue = [];
      waiting = [];
      if (timer !== null) clearTimeout(timer);
      timer = null;
      setTab(KEYS.queue, null);
      setTab(KEYS.session, null);
      setLasting(KEYS.userId, null);
      setLasting(KEYS.anonymousId, null);
      ids = { anonymousId: null, userId: null };
      setLasting(KEYS.consent, 'denied');
    }
  }
  function cartEvent(event) {
    return function (p) {
      var props = product(p);
      if (props.quantity === undefined) props.quantity = 1;
      track(event, props);
    };
  }
  function checkoutStep(step, properties) {
    var props = isObject(properties) ? properties : {};
    if (Array.isArray(props.products)) props.products = props.products.map(product);
    if (step === 0 || step === 'started') {
      if (props.currency === undefined && config.currency) props.currency = config.currency;
      track('Checkout Started', props);
    } else {
      props.step = num(step) !== undefined ? num(step) : step;
      track('Checkout Step Completed', props);
    }
  }
  function orderCompleted(order) {
    var o = isObject(order) ? order : {};
    var props = {};
    for (var k in o) props[k] = o[k];
    props.order_id = String(o.order_id || o.orderId || o.id || '');
    props.products = Array.isArray(o.products) ? o.products.map(product) : [];
    ['total', 'subtotal', 'revenue', 'shipping', 'tax', 'discount'].forEach(function (f) {
      if (props[f] !== undefined) props[f] = num(props[f]);
    });
    if (props.currency === undefined && config.currency) props.currency = config.currency;
    delete props.orderId;
    delete props.id;
    track('Order Completed', props);
  }

  var commands = {
    page: page,
    track: track,
    identify: identify,
    reset: reset,
    consent: setConsent,
    addToCart: cartEvent('Product Added'),
    removeFromCart: cartEvent('Product Removed'),
    addToWishlist: function (p) {
      track('Product Added to Wishlist', product(p));
    },
    checkoutStep: checkoutStep,
    checkoutStarted: function (properties) {
      checkoutStep('started', properties);
    },
    orderCompleted: orderCompleted,
    flush: function () {
      flush(false);
    },
    'push.subscribe': pushCommand('subscribe'),
    'push.unsubscribe': pushCommand('unsubscribe'),
  };
  // Web push lives in t-push.js, loaded from the same host when a page first asks. The permission
  // is asked for here and now: browsers show the prompt only within the click that called us,
  // which loading a script could outlast. Both commands return a promise of { ok, reason? }.
  var pushModule = null;
  function pushCommand(name) {
    return function (options) {
      var N = w.Notification;
      var asked = name === 'subscribe' && allowed() && N && N.permission === 'default' ? N.requestPermission() : null;
      if (!pushModule) {
        pushModule = new Promise(function (resolve, reject) {
          var s = d.createElement('script');
          s.src = config.host + '/t-push.js';
          s.onload = function () {
            (w.__rapportPush ? resolve : reject)(w.__rapportPush);
          };
          s.onerror = reject;
          (d.head || d.documentElement).appendChild(s);
        });
      }
      var ctx = { host: config.host, writeKey: config.writeKey, worker: attr('push-worker') || '/rapport-sw.js', allowed: allowed, anonymousId: anonymousId, userId: userId, asked: asked };
      return pushModule.then(function (push) {
        return push[name](ctx, isObject(options) ? options : {});
      }, function () {
        pushModule = null; // try again next time
        return { ok: false, reason: 'not_loaded' };
      });
    };
  }
  function run(args) {
    var fn = commands[args[0]];
    if (!fn) {
      if (w.console) w.console.warn('rapport: unknown command ' + args[0]);
      return;
    }
    try {
      return fn.apply(null, Array.prototype.slice.call(args, 1));
    } catch (e) {
      if (w.console) w.console.error('rapport: ' + args[0] + ' failed', e);
    }
  }

  // --- automatic tracking -------------------------------------------------------------------
  /** data-* attributes as properties: data-rapport-promo-id="x" → { promo_id: 'x' }; numbers stay numbers. */
  function dataProps(el, prefix) {
    var props = {};
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (a.name.indexOf(prefix) !== 0) continue;
      var key = a.name.slice(prefix.length).replace(/-/g, '_');
      if (!key || key === 'click') continue;
      props[key] = a.value;
    }
    return props;
  }
  function productOf(el) {
    return product({
      sku: el.getAttribute('data-sku'),
      product_id: el.getAttribute('data-product-id') || el.getAttribute('data-sku'),
      name: el.getAttribute('data-name') || undefined,
      brand: el.getAttribute('data-brand') || undefined,
      category: el.getAttribute('data-category') || undefined,
      price: el.getAttribute('data-price') || undefined,
      currency: el.getAttribute('data-currency') || undefined,
      url: el.getAttribute('data-url') || undefined,
      image_url: el.getAttribute('data-image-url') || undefined,
    });
  }

  // Dwell: the time a product page is visible in the foreground. Sent as the increments since the
  // last report whenever the page is hidden or left, so their sum is the total.
  var dwell = null; // { product, visibleSince, pending }
  var scannedHref = null;
  /** Looks for the product of this page, once per URL (a page call of a client-side route looks again). */
  function scanProduct() {
    // Not parsed yet: start() scans once the document is there.
    if (scannedHref === location.href || d.readyState === 'loading') return;
    scannedHref = location.href;
    reportDwell();
    var el = d.querySelector('[data-rapport-product]');
    if (!el) {
      dwell = null;
      return;
    }
    var p = productOf(el);
    track('Product Viewed', p);
    dwell = { product: p, visibleSince: d.visibilityState === 'visible' ? Date.now() : null, pending: 0 };
  }
  function pauseDwell() {
    if (dwell && dwell.visibleSince !== null) {
      dwell.pending += Date.now() - dwell.visibleSince;
      dwell.visibleSince = null;
    }
  }
  function reportDwell() {
    if (!dwell) return;
    pauseDwell();
    var ms = Math.round(dwell.pending);
    dwell.pending = 0;
    if (ms < 1) return;
    var p = dwell.product;
    track('Product Dwell', { product_id: p.product_id, sku: p.sku, name: p.name, category: p.category, dwell_ms: ms });
  }

  // Impressions: list items seen (half visible) are reported together, once per page.
  var seen = {};
  var impressions = {};
  var impressionTimer = null;
  var observer = null;
  function listOf(el) {
    var list = el.closest ? el.closest('[data-rapport-list]') : null;
    return list;
  }
  function reportImpressions() {
    impressionTimer = null;
    for (var id in impressions) {
      var entry = impressions[id];
      track('Product List Viewed', { list_id: id, category: entry.category, products: entry.products });
    }
    impressions = {};
  }
  function observeItems(root) {
    if (!observer) return;
    var items = root.querySelectorAll('[data-rapport-list] [data-sku]');
    for (var i = 0; i < items.length; i++) {
      if (!items[i].__rapportObserved) {
        items[i].__rapportObserved = true;
        observer.observe(items[i]);
      }
    }
  }
  function positionOf(el, list) {
    var items = list.querySelectorAll('[data-sku]');
    for (var i = 0; i < items.length; i++) if (items[i] === el) return i + 1;
    return undefined;
  }
  function startImpressions() {
    if (!('IntersectionObserver' in w)) return;
    observer = new IntersectionObserver(
      function (entries) {
        for (var i = 0; i < entries.length; i++) {
          var e = entries[i];
          if (!e.isIntersecting) continue;
          var list = listOf(e.target);
          if (!list) continue;
          var listId = list.getAttribute('data-rapport-list') || 'list';
          var p = productOf(e.target);
          var key = listId + '|' + p.product_id;
          observer.unobserve(e.target);
          if (seen[key]) continue;
          seen[key] = true;
          p.position = positionOf(e.target, list);
          var entry = impressions[listId] || (impressions[listId] = { category: list.getAttribute('data-category') || undefined, products: [] });
          entry.products.push(p);
        }
        if (impressionTimer === null) impressionTimer = setTimeout(reportImpressions, 500);
      },
      { threshold: 0.5 },
    );
    observeItems(d);
    if ('MutationObserver' in w) {
      // Lists rendered later (infinite scroll, client-side pages) are observed too.
      new MutationObserver(function () {
        observeItems(d);
      }).observe(d.body, { childList: true, subtree: true });
    }
  }

  function onClick(ev) {
    var target = ev.target;
    if (!target || !target.closest) return;
    var marked = target.closest('[data-rapport-click]');
    if (marked) track(marked.getAttribute('data-rapport-click'), dataProps(marked, 'data-rapport-'));
    var item = target.closest('[data-rapport-list] [data-sku]');
    if (item) {
      var list = listOf(item);
      var p = productOf(item);
      p.position = positionOf(item, list);
      p.list_id = list.getAttribute('data-rapport-list') || 'list';
      track('Product Clicked', p);
    }
  }

  function onHide() {
    if (impressionTimer !== null) {
      clearTimeout(impressionTimer);
      reportImpressions();
    }
    reportDwell();
  }

  function start() {
    if (config.autoPage) page();
    else scanProduct();
    startImpressions();
    d.addEventListener('click', onClick, true);
    d.addEventListener('visibilitychange', function () {
      if (d.visibilityState === 'hidden') {
        onHide();
        flush(false);
      } else if (dwell && dwell.visibleSince === null) {
        dwell.visibleSince = Date.now();
      }
    });
    w.addEventListener('pagehide', function () {
      onHide();
      flush(true);
    });
    w.addEventListener('pageshow', function (ev) {
      // Back from the back/forward cache: the product page is in view again.
      if (ev.persisted && dwell && d.visibilityState === 'visible') dwell.visibleSince = Date.now();
    });
    // Anything a previous page of this tab could not deliver goes now.
    if (queue.length) schedule(FLUSH_DELAY_MS);
  }

  var api = function () {
    return run(arguments);
  };
  api.loaded = true;
  api.version = VERSION;
  var pending = existing && existing.q ? existing.q : [];
  w.rapport = api;
  // Queued commands run before automatic tracking, so an identify or a consent in the snippet
  // applies to the first page view.
  for (var i = 0; i < pending.length; i++) run(pending[i]);
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start);
  else start();
})();
