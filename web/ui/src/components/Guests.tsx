// Finding a guest: by part of a name, customer id, email or phone, most recently seen first.
// Tapping one opens their profile. Staff see this too: knowing the guest is floor work.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { tierLabel } from '../format';
import type { GuestList } from '../types';

interface Props {
  onOpenGuest(id: string): void;
  onAuthLost(e: unknown): boolean;
  onPrivacy(): void;
}

// Typing settles this long before the box is asked.
const kSearchDelayMs = 250;

export function Guests({ onOpenGuest, onAuthLost, onPrivacy }: Props) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<GuestList['guests'] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.guests(query.trim()).then(
        (r) => {
          if (!live) return;
          setFound(r.guests);
          setError(null);
        },
        (e) => {
          if (live && !onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
        },
      );
    }, kSearchDelayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, onAuthLost]);

  return (
    <>
      <h2 id="guests-title" class="pane-title">
        Guests
      </h2>
      <p>
        <button type="button" class="btn-link" data-testid="privacy-link" onClick={onPrivacy}>
          What Mend keeps about guests, and for how long
        </button>
      </p>
      <label class="field">
        <span>Find a guest (name, email, phone or customer id)</span>
        <input
          name="guest-search"
          type="search"
          autocomplete="off"
          maxLength={100}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {found === null ? (
        !error && <p class="muted">Loading…</p>
      ) : found.length === 0 ? (
        <p class="muted empty">{query.trim() ? 'Nobody matches.' : 'No guests yet.'}</p>
      ) : (
        <ul class="guest-list" aria-label="Guests found">
          {found.map((g) => (
            <li key={g.id}>
              <button type="button" class="guest-strip" data-guest={g.id} onClick={() => onOpenGuest(g.id)}>
                <span class="guest-strip-name">{g.name || g.id}</span>
                <span class={'tier-badge' + (g.tier === 'regular' || g.tier === 'vip' ? ' tier-notable' : '')}>
                  {tierLabel(g.tier, g.visits)}
                </span>
                {g.dietary_needs && (
                  <span class="allergy-warning">
                    <span aria-hidden="true">⚠</span> Dietary needs
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
