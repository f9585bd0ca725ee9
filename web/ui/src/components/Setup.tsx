// First run: no account exists yet. The setup code is printed in mendd's log, so only someone
// with access to the box can create the first (admin) account.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { User } from '../types';

interface Props {
  onDone(user: User, csrf: string): void;
  onClosed(): void;
}

export function Setup({ onDone, onClosed }: Props) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (pin !== pin2) {
      setError('The two PINs differ.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await api.setup(code.trim(), name.trim(), pin);
      onDone(s.user, s.csrf_token);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'setup_closed') {
        onClosed();
        return;
      }
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main class="center-screen">
      <form class="card signin" onSubmit={submit} noValidate>
        <h1>Set up Mend</h1>
        <p class="muted">
          Create the first account. The setup code is in Mend's log on the box.
        </p>
        <label class="field">
          <span>Setup code</span>
          <input
            name="code"
            type="text"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Your name</span>
          <input
            name="name"
            type="text"
            autocomplete="off"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>PIN (6 digits or more, not 123456 or 000000)</span>
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
        <label class="field">
          <span>PIN again</span>
          <input
            name="pin2"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autocomplete="off"
            required
            value={pin2}
            onInput={(e) => setPin2(e.currentTarget.value.replace(/\D/g, ''))}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button
          type="submit"
          class="btn btn-primary btn-wide"
          disabled={busy || !code.trim() || !name.trim() || !pin || !pin2}
        >
          {busy ? 'Creating…' : 'Create account and sign in'}
        </button>
      </form>
    </main>
  );
}
