// Mend's service worker: shows an alert the box pushed (Web Push) while the page is closed or
// the phone is locked, and opens its case (or the briefing) when the notification is tapped.
// It caches nothing: the tablet UI is only of use live, and a stale copy would show stale cases.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// The payload is mendd's notification JSON (core/push.hpp): title, body, case, tag, url,
// severity, event, at. A payload that is not JSON is still shown, as text.
self.addEventListener('push', (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch {
      data = { body: event.data.text() };
    }
  }
  const urgent = data.severity === 'high' || data.severity === 'critical';
  event.waitUntil(
    self.registration.showNotification(data.title || 'Mend', {
      body: data.body || '',
      // One notification per case: a reminder replaces the one before, and still rings.
      tag: data.tag || 'mend',
      renotify: true,
      requireInteraction: urgent,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { case: data.case || '', url: data.url || '/' },
    }),
  );
});

// An open Mend page is focused and told which case (or, for one without a case such as the
// briefing's, which url: /#/briefing) to open; otherwise one is opened on it.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { case: caseId, url } = event.notification.data || {};
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin !== self.location.origin) continue;
        await client.focus();
        if (caseId) client.postMessage({ type: 'mend-open-case', case: caseId });
        else if (url && url !== '/') client.postMessage({ type: 'mend-open-url', url });
        return;
      }
      await self.clients.openWindow(url || '/');
    })(),
  );
});
