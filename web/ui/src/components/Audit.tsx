// The audit log for managers: who did what to which case or account, newest first, and for an
// edited recommendation the text before and after.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { AuditEntry } from '../types';

interface Props {
  onAuthLost(e: unknown): boolean;
}

const kLimit = 50;

const kActions: Record<string, string> = {
  'case.acknowledge': 'Acknowledged',
  'case.approve': 'Approved',
  'case.edit': 'Edited and approved',
  'case.reject': 'Rejected',
  'case.action': 'Marked actioned',
  'case.resolve': 'Resolved',
  'case.automatic': 'Done by the policy',
  'case.open': 'Opened a case',
  'employee.change': 'Changed an employee',
  'auth.sign_in': 'Signed in',
  'auth.sign_out': 'Signed out',
  'auth.sign_in_failed': 'Sign-in refused',
  'auth.lockout': 'Locked out',
  'user.create': 'Added a person',
  'user.disable': 'Disabled a person',
  'user.pin_change': 'Changed a PIN',
  'token.create': 'Made a token',
  'token.revoke': 'Revoked a token',
};

function actionLabel(action: string): string {
  return kActions[action] ?? action;
}

export function Audit({ onAuthLost }: Props) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const { entries: list } = await api.audit(kLimit);
      setEntries(list ?? []);
    } catch (e) {
      if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }, [onAuthLost]);

  useEffect(() => {
    void load();
    // Names for "user:3": a nicety; without it the ids still say who.
    api.users().then(
      ({ users }) => setNames(new Map(users.map((u) => [`user:${u.id}`, u.name]))),
      () => {},
    );
  }, [load]);

  return (
    <>
      <div class="pane-head">
        <h2 id="audit-title" class="pane-title">
          Audit
        </h2>
        <button type="button" class="btn" onClick={() => void load()} disabled={busy}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries === null && !error && <p class="muted">Loading…</p>}
      {entries !== null && entries.length === 0 && <p class="muted empty">Nothing recorded yet.</p>}
      {entries !== null && entries.length > 0 && (
        <ol class="audit" aria-label={`The last ${kLimit} entries, newest first`} data-testid="audit">
          {entries.map((e) => (
            <AuditRow key={e.seq} entry={e} names={names} />
          ))}
        </ol>
      )}
    </>
  );
}

function AuditRow({ entry: e, names }: { entry: AuditEntry; names: Map<string, string> }) {
  const actor = typeof e.actor === 'object' && e.actor !== null ? e.actor : { id: String(e.actor ?? ''), role: '' };
  const id = String(actor.id);
  const name = names.get(id);
  const detail = asObject(e.detail);
  const before = recText(detail?.before);
  const after = recText(detail?.after);
  const reason = typeof detail?.reason === 'string' ? detail.reason : '';
  const note = typeof detail?.note === 'string' ? detail.note : '';
  return (
    <li class="audit-row" data-action={e.action} data-seq={String(e.seq)}>
      <time dateTime={e.at} class="audit-at">
        {stamp(e.at)}
      </time>
      <span class="audit-who">
        {name ? `${name} ` : ''}
        <span class="muted">
          ({id}
          {actor.role ? `, ${actor.role}` : ''})
        </span>
      </span>
      <span class="audit-what">
        <strong>{actionLabel(e.action)}</strong> <code class="audit-code">{e.action}</code>
        {e.subject ? <span class="audit-subject"> · {names.get(e.subject) ?? e.subject}</span> : null}
      </span>
      {e.action === 'case.edit' && (before || after) && (
        <p class="audit-change" data-testid="audit-change">
          <span class="audit-before">
            <span class="audit-label">Before: </span>
            {before || '(none)'}
          </span>
          <span class="audit-arrow" aria-label="changed to">
            {' → '}
          </span>
          <span class="audit-after">
            <span class="audit-label">After: </span>
            {after || '(none)'}
          </span>
        </p>
      )}
      {e.action === 'employee.change' && detail && (
        <ul class="audit-changes" data-testid="audit-changes">
          {Object.entries(detail)
            .filter(([, v]) => asObject(v) !== null && 'to' in (asObject(v) as object))
            .map(([key, v]) => {
              const c = asObject(v) as { from?: unknown; to?: unknown };
              return (
                <li key={key}>
                  {key}: {String(c.from)} → {String(c.to)}
                </li>
              );
            })}
        </ul>
      )}
      {(reason || note) && <p class="audit-reason muted">{reason || note}</p>}
    </li>
  );
}

function asObject(v: unknown): Record<string, unknown> | null {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      return asObject(JSON.parse(v));
    } catch {
      return null;
    }
  }
  return null;
}

// A recommendation in the detail: {"action","text"}, or already words.
function recText(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = asObject(v);
  return o && typeof o.text === 'string' ? o.text : '';
}

function stamp(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const sameDay = t.toDateString() === new Date().toDateString();
  return sameDay
    ? t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : t.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
