// Name and PIN. The PIN field asks for the numeric keypad and is never remembered: tablets
// are shared.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { User } from '../types';

interface Props {
  notice?: string;
  onDone(user: User, csrf: string): void;
}

export function SignIn({ notice, onDone }: Props) {
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const s = await api.signIn(name.trim(), pin);
      onDone(s.user, s.csrf_token);
    } catch (err) {
      setPin('');
      setError(signInMessage(err));
      setBusy(false);
    }
  };

  return (
    <main class="center-screen">
      <form class="card signin" onSubmit={submit} noValidate>
        <h1>Mend</h1>
        <p class="muted">Sign in to see the floor.</p>
        {notice && <p class="notice">{notice}</p>}
        <label class="field">
          <span>Name</span>
          <input
            name="name"
            type="text"
            autocomplete="off"
            autocapitalize="words"
            spellcheck={false}
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>PIN</span>
          <input
            name="pin"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autocomplete="off"
            required
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, ''))}
          />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary btn-wide" disabled={busy || !name.trim() || !pin}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function signInMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  if (err.code === 'sign_in_refused') return 'That name and PIN do not match. Try again.';
  if (err.code === 'locked_out') {
    const at = retryTime(err);
    return at
      ? `Too many wrong PINs. Try again at ${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}.`
      : 'Too many wrong PINs. Wait a little and try again.';
  }
  return err.message;
}

function retryTime(err: ApiError): Date | null {
  if (err.retryAt) {
    const t = new Date(err.retryAt);
    if (!Number.isNaN(t.getTime())) return t;
  }
  if (err.retryAfter !== null) return new Date(Date.now() + err.retryAfter * 1000);
  return null;
}
