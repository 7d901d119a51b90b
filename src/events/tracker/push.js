/*! rapport.js web push (served as /t-push.js): loaded by t.js the first time a page calls
 * rapport('push.subscribe') or rapport('push.unsubscribe'). It registers the service worker the
 * shop hosts on its own site (data-push-worker, default /rapport-sw.js: one line,
 * importScripts('https://<rapport>/rapport-sw.js')), subscribes with the workspace's VAPID key and
 * hands the subscription to Rapport with the visitor's ids. Results: { ok: true, id, endpoint } or
 * { ok: false, reason: 'tracking_off' | 'unsupported' | 'denied' | 'dismissed' | 'no_push_channel'
 * | 'failed', message? }; options.callback(result) is called too (for calls queued before t.js).
 */
(function () {
  'use strict';
  var w = window;
  var nav = navigator;

  function supported() {
    return 'serviceWorker' in nav && 'PushManager' in w && 'Notification' in w;
  }
  function done(options, result) {
    if (typeof options.callback === 'function') {
      try {
        options.callback(result);
      } catch (e) {
        /* the page's own error */
      }
    }
    return result;
  }
  function keyBytes(base64url) {
    var b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var raw = w.atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    var a = new Uint8Array(buffer);
    if (a.length !== bytes.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== bytes[i]) return false;
    return true;
  }
  /** A call of Rapport's /v1/push routes; rejects with { status, message } when not 2xx. */
  function call(ctx, method, path, body) {
    var init = { method: method, credentials: 'omit' };
    if (body) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    return fetch(ctx.host + path, init).then(function (res) {
      return res.json().then(
        function (json) {
          if (!res.ok) throw { status: res.status, message: json && json.message };
          return json;
        },
        function () {
          if (!res.ok) throw { status: res.status, message: 'HTTP ' + res.status };
          return {};
        },
      );
    });
  }
  function permission(ctx) {
    if (w.Notification.permission !== 'default') return Promise.resolve(w.Notification.permission);
    // t.js asked within the page's click; older Safari answers through a callback instead.
    if (ctx.asked && typeof ctx.asked.then === 'function') return ctx.asked;
    return new Promise(function (resolve) {
      var p = w.Notification.requestPermission(resolve);
      if (p && typeof p.then === 'function') p.then(resolve);
    });
  }
  /** The registration once its worker is active: a push subscription needs one. */
  function activated(reg) {
    if (reg.active) return Promise.resolve(reg);
    var worker = reg.installing || reg.waiting;
    return new Promise(function (resolve, reject) {
      worker.addEventListener('statechange', function () {
        if (worker.state === 'activated') resolve(reg);
        else if (worker.state === 'redundant') reject(new Error('the service worker did not install'));
      });
    });
  }
  function failure(e) {
    if (e && e.status === 404) return { ok: false, reason: 'no_push_channel', message: e.message };
    return { ok: false, reason: 'failed', message: e && e.message ? String(e.message) : String(e) };
  }

  function subscribe(ctx, options) {
    if (!ctx.allowed()) return done(options, { ok: false, reason: 'tracking_off' });
    if (!supported()) return done(options, { ok: false, reason: 'unsupported' });
    return permission(ctx)
      .then(function (answer) {
        if (answer !== 'granted') return { ok: false, reason: answer === 'denied' ? 'denied' : 'dismissed' };
        var registered = nav.serviceWorker.register(options.worker || ctx.worker).then(activated);
        var vapid = call(ctx, 'GET', '/v1/push/vapid-public-key?writeKey=' + encodeURIComponent(ctx.writeKey));
        return Promise.all([registered, vapid])
          .then(function (got) {
            var reg = got[0];
            var key = keyBytes(got[1].publicKey);
            return reg.pushManager
              .getSubscription()
              .then(function (sub) {
                // Made with another key (the push channel changed): its push service would refuse our messages.
                if (sub && !sameKey(sub.options && sub.options.applicationServerKey, key)) {
                  return sub.unsubscribe().then(function () {
                    return null;
                  });
                }
                return sub;
              })
              .then(function (sub) {
                return sub || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
              });
          })
          .then(function (sub) {
            var json = sub.toJSON();
            var body = { writeKey: ctx.writeKey, subscription: { endpoint: json.endpoint, keys: json.keys }, anonymousId: ctx.anonymousId(), userId: ctx.userId() || null };
            if (typeof options.userHash === 'string') body.userHash = options.userHash;
            return call(ctx, 'POST', '/v1/push/subscriptions', body).then(function (saved) {
              return { ok: true, id: saved.id, endpoint: json.endpoint };
            });
          });
      })
      .then(null, failure)
      .then(function (result) {
        return done(options, result);
      });
  }

  function unsubscribe(ctx, options) {
    if (!supported()) return done(options, { ok: false, reason: 'unsupported' });
    return nav.serviceWorker
      .getRegistration()
      .then(function (reg) {
        return reg ? reg.pushManager.getSubscription() : null;
      })
      .then(function (sub) {
        if (!sub) return { ok: true };
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return call(ctx, 'DELETE', '/v1/push/subscriptions', { writeKey: ctx.writeKey, endpoint: endpoint }).then(
            function () {
              return { ok: true };
            },
            function (e) {
              // Rapport had already forgotten it: the browser is unsubscribed all the same.
              if (e && e.status === 404) return { ok: true };
              throw e;
            },
          );
        });
      })
      .then(null, failure)
      .then(function (result) {
        return done(options, result);
      });
  }

  w.__rapportPush = { subscribe: subscribe, unsubscribe: unsubscribe };
})();
