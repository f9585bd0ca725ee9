// Alerts on this device while the page is closed: Web Push through the browser's own push
// service, shown by the service worker (public/sw.js). Turning them on asks for the
// notification permission (only from a button the person presses), subscribes with the box's
// VAPID key and hands the subscription to mendd; mendd then sends this person's alerts (their
// role, above their quiet rule) to it, encrypted for this device.
import { ApiError, api } from './api';

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

export class PushProblem extends Error {}

// A service worker and push need a secure context: HTTPS with the box's certificate, or
// localhost.
export function pushSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  );
}

export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return null;
  }
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ?? null;
}

export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return (await currentSubscription()) ? 'on' : 'off';
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
}

export async function turnOn(): Promise<void> {
  if (!pushSupported()) throw new PushProblem('This browser cannot receive alerts with the page closed.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new PushProblem(
      permission === 'denied'
        ? "Notifications are blocked for this page: allow them in the browser's site settings."
        : 'Notifications were not allowed.',
    );
  }
  await registerServiceWorker();
  const reg = await navigator.serviceWorker.ready;
  const { public_key } = await api.pushKey();
  const key = keyBytes(public_key);
  let sub = await reg.pushManager.getSubscription();
  // Subscribed with another key (the box was replaced): that subscription cannot be used.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) {
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new PushProblem(
        `This browser could not reach its push service (${why}). Alerts on a closed page need ` +
          'the device online; try again later. Alerts still show while this page is open.',
      );
    }
  }
  const json = sub.toJSON();
  await api.addPushSubscription({
    endpoint: json.endpoint ?? sub.endpoint,
    expirationTime: json.expirationTime ?? null,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
  });
}

export async function turnOff(): Promise<void> {
  const sub = pushSupported() ? await currentSubscription() : null;
  if (!sub) return;
  try {
    await api.deletePushSubscription(sub.endpoint);
  } catch (e) {
    // Already gone on the box (its push service said so, or another person took the device).
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  await sub.unsubscribe();
}
