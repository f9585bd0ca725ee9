// "Phone alerts" in the top bar, for the roles the escalation ladder calls away from the
// floor (managers, admins): turns Web Push on or off for this device and says why when it
// cannot.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { type PushState, PushProblem, pushState, turnOff, turnOn } from '../push';

export function PushControl() {
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void pushState().then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);

  if (state === null) return null;
  if (state === 'unsupported') {
    return (
      <span class="muted push-status" data-testid="push-status" title="Needs HTTPS with the box's certificate">
        Phone alerts: not in this browser
      </span>
    );
  }

  const toggle = async () => {
    setBusy(true);
    setMessage(null);
    try {
      if (state === 'on') await turnOff();
      else await turnOn();
    } catch (e) {
      setMessage(e instanceof PushProblem || e instanceof ApiError ? e.message : String(e));
    } finally {
      setState(await pushState());
      setBusy(false);
    }
  };

  return (
    <span class="push-control">
      <button
        type="button"
        class={'btn' + (state === 'on' ? ' btn-primary' : ' btn-quiet')}
        aria-pressed={state === 'on'}
        data-testid="push-toggle"
        disabled={busy || state === 'denied'}
        onClick={() => void toggle()}
        title={state === 'denied' ? "Notifications are blocked in this browser's site settings" : undefined}
      >
        {state === 'on' ? 'Phone alerts on' : 'Phone alerts off'}
      </button>
      {message && (
        <span class="push-status" role="status" data-testid="push-status">
          {message}
        </span>
      )}
    </span>
  );
}
