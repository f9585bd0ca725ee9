// How an alert reaches a person besides the toast: a short chime and, where the person allowed
// it, the browser's notification. Browsers play sound only after the person has used the page,
// and ask for notifications only from a button they press: nothing here happens on load.
import { kindLabel, roleRank, subjectLabel } from './format';
import type { Alert } from './types';

let interacted = false;

// Remembers the first tap or key press; the chime stays silent until then.
export function watchInteraction(): () => void {
  const mark = () => {
    interacted = true;
    remove();
  };
  const remove = () => {
    document.removeEventListener('pointerdown', mark, true);
    document.removeEventListener('keydown', mark, true);
  };
  if (!interacted) {
    document.addEventListener('pointerdown', mark, true);
    document.addEventListener('keydown', mark, true);
  }
  return remove;
}

export function hasInteracted(): boolean {
  return interacted;
}

// Plays the chime from the page's <audio> element. Counts on the element (data-played,
// data-blocked) say what happened, for the person fixing a silent tablet and for the tests.
export function playChime(audio: HTMLAudioElement | null): void {
  if (!audio || !interacted) return;
  const bump = (attr: string) => audio.setAttribute(attr, String(Number(audio.getAttribute(attr) ?? '0') + 1));
  try {
    audio.currentTime = 0;
    const p = audio.play();
    if (p && typeof p.then === 'function') {
      p.then(
        () => bump('data-played'),
        () => bump('data-blocked'),
      );
    } else {
      bump('data-played');
    }
  } catch {
    bump('data-blocked');
  }
}

// Whether this person hears of an alert meant for `alertRole`: their own role's and below.
export function alertIsFor(alertRole: string, userRole: string): boolean {
  const a = roleRank(alertRole);
  const u = roleRank(userRole);
  return a > 0 && u > 0 && a <= u;
}

export type NotifyPermission = 'unsupported' | 'default' | 'granted' | 'denied';

export function notifyPermission(): NotifyPermission {
  if (typeof window === 'undefined' || !('Notification' in window)) return 'unsupported';
  return Notification.permission as NotifyPermission;
}

export async function askNotifyPermission(): Promise<NotifyPermission> {
  if (notifyPermission() === 'unsupported') return 'unsupported';
  try {
    return (await Notification.requestPermission()) as NotifyPermission;
  } catch {
    return notifyPermission();
  }
}

export function alertTitle(a: Alert): string {
  const what = kindLabel(a.kind ?? 'case');
  const where = subjectLabel(a.subject);
  return where ? `${what} · ${where}` : what;
}

export function alertStageLabel(a: Alert): string | null {
  if (a.repeat) return 'Reminder: still not acknowledged';
  if ((a.stage ?? 0) > 0) return `Not acknowledged yet: now with ${a.role === 'admin' ? 'the admin' : a.role + 's'}`;
  return null;
}

// The browser's notification, where granted; one per case (the tag), the newest replacing it.
export function notify(a: Alert, onClick: () => void): void {
  if (notifyPermission() !== 'granted') return;
  try {
    const stage = alertStageLabel(a);
    const n = new Notification(alertTitle(a), {
      body: [stage, a.text || a.reason].filter(Boolean).join('\n'),
      tag: 'mend-case-' + a.case,
      icon: '/icons/icon-192.png',
    });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the toast still shows.
  }
}
