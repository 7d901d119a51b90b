/*! Rapport's web push service worker (served as /rapport-sw.js): shows the notifications Rapport
 * sends and opens their link when one is clicked. It reports nothing and touches nothing else, so a
 * shop can import it into a service worker of its own.
 *
 * A service worker must come from the shop's own site. The shop serves, at /rapport-sw.js (or the
 * path given in the tracker's data-push-worker), this one line:
 *   importScripts('https://crm.example.com/rapport-sw.js');
 * Pages on Rapport's own origin (the demo shop) use this file directly.
 *
 * A message is JSON: { title, body, icon?, url? } (also accepted inside { notification: … }).
 */
self.addEventListener('push', function (event) {
  var data = {};
  if (event.data) {
    try {
      data = event.data.json() || {};
    } catch (e) {
      data = { body: event.data.text() };
    }
  }
  if (data.notification && typeof data.notification === 'object') data = data.notification;
  var url = typeof data.url === 'string' && /^https?:\/\//i.test(data.url) ? data.url : null;
  var options = { body: typeof data.body === 'string' ? data.body : '', data: { url: url } };
  if (typeof data.icon === 'string' && data.icon) options.icon = data.icon;
  event.waitUntil(self.registration.showNotification(typeof data.title === 'string' ? data.title : '', options));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  if (!url) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (open) {
      // A tab already showing the page comes to the front instead of a second one.
      for (var i = 0; i < open.length; i++) if (open[i].url === url && 'focus' in open[i]) return open[i].focus();
      return self.clients.openWindow(url);
    }),
  );
});
