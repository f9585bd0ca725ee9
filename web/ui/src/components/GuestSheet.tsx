// A guest's profile: what the venue knows and why it keeps it. Staff add notes; managers change
// preferences, tags, consent and dietary needs. mendd checks each change and audits it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { kindLabel, money, tierLabel } from '../format';
import type { GuestEdit, GuestProfile, GuestRewards } from '../types';
import { DietaryBox } from './DietaryBox';
import { occasionLabel } from './Floor';

interface Props {
  id: string;
  canEdit: boolean;
  currency?: string;
  onAuthLost(e: unknown): boolean;
  onClose(): void;
  onPrivacy(): void;
}

function day(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }) : '—';
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function GuestSheet({ id, canEdit, currency, onAuthLost, onClose, onPrivacy }: Props) {
  const [guest, setGuest] = useState<GuestProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  const failed = (e: unknown) => {
    if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
  };

  // Read once per guest; a change comes back as the profile it made.
  useEffect(() => {
    let live = true;
    api.guest(id).then(
      (g) => live && setGuest(g),
      (e) => live && failed(e),
    );
    return () => {
      live = false;
    };
  }, [id]);

  const addNote = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setGuest(await api.noteGuest(id, note));
      setNote('');
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const save = async (edit: GuestEdit) => {
    setBusy(true);
    setError(null);
    try {
      setGuest(await api.editGuest(id, edit));
      setEditing(false);
      return true;
    } catch (err) {
      failed(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="guest-title">
        <div class="sheet-head">
          <h2 id="guest-title">{guest ? guest.name || guest.id : 'Guest'}</h2>
          <button type="button" class="btn btn-quiet" onClick={onClose}>
            Close
          </button>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {guest === null ? (
          !error && <p class="muted">Loading the profile…</p>
        ) : (
          <>
            <p class="guest-line">
              <span class={'tier-badge' + (guest.tier === 'regular' || guest.tier === 'vip' ? ' tier-notable' : '')}>
                {tierLabel(guest.tier, guest.visits)}
              </span>{' '}
              {guest.visits} {guest.visits === 1 ? 'visit' : 'visits'} since {day(guest.first_visit)}
            </p>
            <DietaryBox
              items={guest.dietary.map((d) => ({ key: d.text + d.booking, text: d.text, basis: d.basis }))}
              testId="dietary"
            />
            <dl class="guest-facts">
              <dt>Last visit</dt>
              <dd data-testid="previous-visit">
                {day(guest.previous_visit)}
                {guest.last_visit_issues.length > 0 &&
                  ': ' + guest.last_visit_issues.map((k) => kindLabel(k).toLowerCase()).join(', ')}
              </dd>
              <dt>Usually</dt>
              <dd>
                {[
                  guest.usual_party ? `party of ${guest.usual_party}` : '',
                  guest.preferred_table ? `table ${guest.preferred_table}` : '',
                  guest.preferred_area,
                ]
                  .filter(Boolean)
                  .join(', ') || '—'}
              </dd>
              <dt>Spend</dt>
              <dd data-testid="spend">
                {money(guest.spend, currency)} over {guest.checks} {guest.checks === 1 ? 'check' : 'checks'}
              </dd>
              {guest.occasions.length > 0 && (
                <>
                  <dt>Occasions</dt>
                  <dd>{guest.occasions.map((o) => `${occasionLabel(o.kind)} (${day(o.on)})`).join(', ')}</dd>
                </>
              )}
              {guest.preferences.length > 0 && (
                <>
                  <dt>Preferences</dt>
                  <dd data-testid="preferences">{guest.preferences.join('; ')}</dd>
                </>
              )}
              {guest.tags.length > 0 && (
                <>
                  <dt>Tags</dt>
                  <dd>{guest.tags.join(', ')}</dd>
                </>
              )}
            </dl>
            <Rewards id={id} currency={currency} onAuthLost={onAuthLost} />
            <section aria-label="Notes">
              <h3>Notes</h3>
              {guest.notes.length === 0 ? (
                <p class="muted">No notes yet.</p>
              ) : (
                <ul class="guest-notes">
                  {guest.notes.map((n) => (
                    <li key={n.id} data-testid="guest-note">
                      {n.text} <span class="muted">— {n.author}, {day(n.at)}</span>
                    </li>
                  ))}
                </ul>
              )}
              <form class="action-form" aria-label="Add a note" onSubmit={(e) => void addNote(e)}>
                <label class="field">
                  <span>Add a note</span>
                  <textarea name="note" rows={2} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                </label>
                <button type="submit" class="btn" disabled={busy || note.trim() === ''}>
                  Save note
                </button>
              </form>
            </section>
            {canEdit &&
              (editing ? (
                <GuestEditForm guest={guest} busy={busy} onSave={save} onCancel={() => setEditing(false)} />
              ) : (
                <button type="button" class="btn" onClick={() => setEditing(true)}>
                  Edit profile
                </button>
              ))}
            <p>
              <button type="button" class="btn-link" data-testid="privacy-link" onClick={onPrivacy}>
                What Mend keeps about guests, and for how long
              </button>
            </p>
          </>
        )}
      </div>
    </div>
  );
}

// A manager's change: preferences and dietary needs one per line. Dietary needs are kept only
// with the guest's consent, which mendd checks too.
function GuestEditForm({
  guest,
  busy,
  onSave,
  onCancel,
}: {
  guest: GuestProfile;
  busy: boolean;
  onSave(edit: GuestEdit): Promise<boolean>;
  onCancel(): void;
}) {
  const kept = guest.dietary.filter((d) => d.basis === 'consent').map((d) => d.text);
  const [preferences, setPreferences] = useState(guest.preferences.join('\n'));
  const [tags, setTags] = useState(guest.tags.join(', '));
  const [consent, setConsent] = useState(guest.health_consent !== null);
  const [dietary, setDietary] = useState(kept.join('\n'));

  const submit = (e: Event) => {
    e.preventDefault();
    const edit: GuestEdit = {
      preferences: lines(preferences),
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
      health_consent: consent,
    };
    if (consent) edit.dietary = lines(dietary);
    void onSave(edit);
  };

  return (
    <form class="action-form" aria-label="Edit profile" onSubmit={submit}>
      <label class="field">
        <span>Preferences (one per line)</span>
        <textarea name="preferences" rows={3} value={preferences} onInput={(e) => setPreferences(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Tags (comma separated)</span>
        <input name="tags" type="text" autocomplete="off" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      <label class="choice">
        <input
          type="checkbox"
          name="health_consent"
          checked={consent}
          onChange={(e) => setConsent(e.currentTarget.checked)}
        />{' '}
        The guest agreed that we keep their dietary needs and allergies
      </label>
      {consent && (
        <label class="field">
          <span>Dietary needs and allergies to keep (one per line)</span>
          <textarea name="dietary" rows={2} value={dietary} onInput={(e) => setDietary(e.currentTarget.value)} />
        </label>
      )}
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Save profile
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// The guest's rewards (docs/ledger.md): the balance and a statement the guest could be shown,
// oldest first: what was earned, when, why, and what was used.
function Rewards({ id, currency, onAuthLost }: { id: string; currency?: string; onAuthLost(e: unknown): boolean }) {
  const [rewards, setRewards] = useState<GuestRewards | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.guestRewards(id).then(
      (r) => live && setRewards(r),
      (e) => {
        if (live && !onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [id, onAuthLost]);
  if (error) return <p class="muted">Rewards: {error}</p>;
  if (rewards === null) return null;
  return (
    <section aria-label="Rewards" data-testid="rewards">
      <h3>
        Rewards <span data-testid="rewards-balance">{money(rewards.balance, rewards.currency || currency)}</span>
      </h3>
      {rewards.entries.length === 0 ? (
        <p class="muted">Nothing earned yet.</p>
      ) : (
        <ul class="rewards-statement">
          {rewards.entries.map((e) => (
            <li key={e.seq} data-testid="rewards-line" class={e.status === 'corrected' ? 'muted' : undefined}>
              {day(e.at)}: {e.why} <strong>{money(e.value, rewards.currency || currency)}</strong>
              {e.status === 'corrected' && ' (cancelled)'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
