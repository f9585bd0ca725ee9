// One case: why it was flagged, for whom, the policy's plan and what it costs, its evidence, and
// what this person may do about it. Only the actions the role may take are offered (a plan
// above the role's authority shows who must approve it); the server checks again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { useNow } from '../clock';
import {
  actionTypeLabel,
  ageLabel,
  clockTime,
  dateTimeLabel,
  employeeLabel,
  eventLabel,
  guestMessageLabel,
  kindLabel,
  money,
  roleCovers,
  roleWithArticle,
  severityLabel,
  statusLabel,
  subjectLabel,
  tierLabel,
} from '../format';
import type { Case, Guest, RootCause, TimelineEntry } from '../types';

interface Props {
  caseId: string;
  known: Case | undefined; // the copy the list holds, updated by the live feed
  role: string; // the signed-in person's role
  currency?: string; // the venue's, from the budget
  skewMs: number;
  onChanged(c: Case): void;
  onAuthLost(e: unknown): boolean;
  onClose(): void;
}

type Mode = null | 'approve' | 'edit' | 'reject' | 'action' | 'resolve' | 'send' | 'skip';

const kRootCauses = [
  ['process', 'Process'],
  ['people', 'People'],
  ['product', 'Product'],
  ['policy', 'Policy'],
  ['communication', 'Communication'],
] as const;

export function CaseSheet({ caseId, known, role, currency, skewMs, onChanged, onAuthLost, onClose }: Props) {
  const [detail, setDetail] = useState<Case | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>(null);
  const [reason, setReason] = useState('');
  const [editText, setEditText] = useState('');
  const [rootCause, setRootCause] = useState('');
  const [note, setNote] = useState('');
  const [followUp, setFollowUp] = useState(false);
  const [followHours, setFollowHours] = useState('24');
  const [followMessage, setFollowMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The case version the person saw when they began to decide: sent with the decision, so a
  // plan that changed meanwhile is refused rather than approved unseen.
  const [seenVersion, setSeenVersion] = useState<number | null>(null);
  // The server refused a decision as stale: the sheet now shows the new plan and says so.
  const [stale, setStale] = useState(false);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const now = useNow(skewMs);

  // Fetch the detail (timeline, guest) on open and again whenever the feed says it changed.
  const knownStamp = known?.updated_at;
  useEffect(() => {
    let cancelled = false;
    api.case(caseId).then(
      (c) => {
        if (!cancelled) {
          setDetail(c);
          setLoadError(null);
        }
      },
      (e) => {
        if (!cancelled && !onAuthLost(e)) setLoadError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [caseId, knownStamp, onAuthLost]);

  // Focus moves into the sheet once, when it opens: not on every re-render, which would pull
  // it out of a half-typed reason whenever the live feed brings news.
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    titleRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // The newer of the two copies, keeping the detail-only fields.
  const newest: Case | null =
    detail && known && Date.parse(known.updated_at) > Date.parse(detail.updated_at)
      ? { ...detail, ...known, timeline: detail.timeline }
      : detail ?? known ?? null;
  // The detail's guest has all the list copy's, and the visit's booking and party besides.
  const c: Case | null = newest && { ...newest, guest: detail?.guest ?? known?.guest };

  const choose = (m: Mode) => {
    setMode(m);
    setError(null);
    setDone(null);
    setStale(false);
    setSeenVersion(c?.version ?? null);
    setReason('');
    setNote('');
    setRootCause('');
    setEditText(c?.recommendation?.text ?? '');
    setFollowUp(false);
    setFollowHours('24');
    setFollowMessage(m === 'send' ? c?.follow_up?.message ?? '' : c ? followUpDraft(c) : '');
  };

  const run = async (what: string, call: () => Promise<Case>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const updated = await call();
      onChanged(updated);
      setDetail((d) => (d ? { ...d, ...updated, timeline: updated.timeline ?? d.timeline } : updated));
      setMode(null);
      setDone(what);
      setStale(false);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'stale' && e.currentCase) {
        // Show the plan as it is now, start the edit again from it, and let the person decide
        // again: what they typed as a reason stays.
        const current = e.currentCase;
        onChanged(current);
        setDetail(current);
        setSeenVersion(current.version);
        setEditText(current.recommendation?.text ?? '');
        setFollowMessage(followUpDraft(current));
        setStale(true);
      } else if (!onAuthLost(e)) {
        setError(e instanceof ApiError ? e.message : String(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (!c || busy) return;
    const r = reason.trim();
    const v = seenVersion ?? c.version;
    switch (mode) {
      case 'approve':
        return void run('Approved.', () => api.decide(c.id, v, 'approve', r));
      case 'edit':
        return void run('Approved with your changes.', () =>
          api.decide(c.id, v, 'edit', r, {
            action: c.recommendation?.action ?? 'custom',
            text: editText.trim(),
          }),
        );
      case 'reject':
        return void run('Rejected.', () => api.decide(c.id, v, 'reject', r));
      case 'action':
        return void run('Marked as actioned.', () => api.action(c.id, v, note.trim()));
      case 'resolve': {
        const follow = followUp
          ? { after_hours: Number(followHours), message: followMessage.trim() }
          : undefined;
        return void run(follow ? 'Resolved; the follow-up is scheduled.' : 'Resolved.', () =>
          api.resolve(c.id, v, rootCause as RootCause, note.trim(), follow),
        );
      }
      case 'send':
        return void run('Follow-up sent.', () => api.followUp(c.id, v, 'send', r, followMessage.trim()));
      case 'skip':
        return void run('Follow-up skipped.', () => api.followUp(c.id, v, 'skip', r));
    }
  };

  // The follow-up's message, drafted when resolving and looked over again when sending.
  const followMessageField = (label: string) => (
    <label class="field">
      <span>{label}</span>
      <textarea
        name="follow_up_message"
        rows={4}
        maxLength={2000}
        value={followMessage}
        onInput={(e) => setFollowMessage(e.currentTarget.value)}
      />
    </label>
  );

  const followHoursOk = (() => {
    const h = Number(followHours);
    return followHours.trim() !== '' && Number.isFinite(h) && h > 0 && h <= 24 * 90;
  })();

  const s = c?.status;
  const canAck = s === 'open';
  const mayDecide = role === 'staff' || role === 'manager' || role === 'admin';
  const canDecideNow = mayDecide && (s === 'open' || s === 'acknowledged' || s === 'awaiting_approval');
  // A plan above this person's authority: they may still reject it, not approve it.
  const needs = c?.recommendation?.needs_approval_by || null;
  const overAuthority = needs !== null && !roleCovers(role, needs);
  const edited = (c?.decisions ?? []).some((d) => d.decision === 'edit');
  // Once approved (as it was or edited), the plan no longer waits for anyone.
  const approved = (c?.decisions ?? []).some((d) => d.decision === 'approve' || d.decision === 'edit');
  const plan = c?.actions ?? [];
  const canAction = s === 'open' || s === 'acknowledged';
  const canFollowUp = mayDecide && s === 'follow_up' && !!c?.follow_up;
  const canResolve = s === 'open' || s === 'acknowledged' || s === 'actioned' || s === 'follow_up';

  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="sheet-title"
        data-case-id={caseId}
        data-version={c?.version}
      >
        <div class="sheet-head">
          <h2 id="sheet-title" ref={titleRef} tabIndex={-1}>
            {c ? kindLabel(c.kind) : 'Case'}
          </h2>
          <button type="button" class="btn btn-quiet" onClick={onClose}>
            Close
          </button>
        </div>
        {!c && !loadError && <p class="muted">Loading the case…</p>}
        {loadError && !c && (
          <p class="error" role="alert">
            {loadError}
          </p>
        )}
        {c && (
          <div class="sheet-body">
            <p class="sheet-meta">
              <span class={`sev-pill sev-${c.severity}`}>{severityLabel(c.severity)}</span>
              <span>{subjectLabel(c.subject)}</span>
              <span class="status-pill" data-testid="case-status" data-status={c.status}>
                {statusLabel(c.status)}
              </span>
              <span class="muted">{openedLabel(now - Date.parse(c.opened_at))}</span>
              <span class="muted" data-testid="case-employee">
                {c.subject.channel ? 'Reported, for ' : 'Raised by '}
                {employeeLabel(c.employee)}
              </span>
            </p>

            <section aria-labelledby="why-title">
              <h3 id="why-title">Why</h3>
              <p class="why" data-testid="why">
                {c.explanation || c.reason || 'No explanation was given.'}
              </p>
              {guestLine(c.guest) && (
                <p class="guest-line" data-testid="guest">
                  <span class="guest-label">Guest:</span> {guestLine(c.guest)}
                </p>
              )}
            </section>

            <section aria-labelledby="rec-title" class="rec">
              <h3 id="rec-title">Recommended</h3>
              {(edited || plan.length === 0) && (
                <p class="rec-text" data-testid="recommendation">
                  {c.recommendation?.text || 'No recommendation.'}
                </p>
              )}
              {plan.length > 0 && (
                <>
                  {edited && <p class="muted">The plan as the policy first made it:</p>}
                  <ol class="plan" data-testid={edited ? 'plan' : 'recommendation'}>
                    {plan.map((a, i) => (
                      <li key={i} class="plan-step" data-action={a.type}>
                        <span class="plan-type">{actionTypeLabel(a.type)}</span>
                        {a.value ? <span class="plan-value">{money(a.value, currency)}</span> : null}
                        <span class="plan-text">{a.text}</span>
                      </li>
                    ))}
                  </ol>
                </>
              )}
              <p class="plan-total" data-testid="compensation">
                Compensation: <strong>{money(c.compensation ?? 0, currency)}</strong>
              </p>
              {needs && !approved && !c.automatic && (
                <p class="plan-note" data-testid="needs-approval">
                  Needs {possessive(needs)} approval
                </p>
              )}
              {c.automatic && (
                <p class="plan-note plan-auto" data-testid="automatic">
                  Done automatically by the venue's policy
                </p>
              )}
            </section>

            {(c.vouchers?.length ?? 0) > 0 && (
              <section aria-labelledby="vouchers-title">
                <h3 id="vouchers-title">Vouchers</h3>
                <ul class="vouchers" data-testid="vouchers">
                  {c.vouchers!.map((v) => (
                    <li key={v.id} data-voucher={v.id} data-redeemed={v.redeemed_at ? 'yes' : 'no'}>
                      <span class="voucher-id">{v.id}</span>
                      <span>{money(v.value ?? 0, currency)}</span>
                      <span class={v.redeemed_at ? 'voucher-used' : 'muted'}>
                        {v.redeemed_at
                          ? `Used ${dateTimeLabel(v.redeemed_at)}${v.redeemed_check ? ` on check ${v.redeemed_check}` : ''}`
                          : 'Not used yet'}
                      </span>
                    </li>
                  ))}
                </ul>
              </section>
            )}

            {typeof c.satisfaction === 'number' && (
              <p class="satisfaction" data-testid="satisfaction">
                Guest's rating afterwards: <strong>{c.satisfaction} of 5</strong>
              </p>
            )}

            {c.follow_up && (
              <section aria-labelledby="follow-title">
                <h3 id="follow-title">Follow-up</h3>
                <p data-testid="follow-up">
                  Due {dateTimeLabel(c.follow_up.due)}: <q>{c.follow_up.message}</q>
                </p>
              </section>
            )}

            {c.messages && c.messages.length > 0 && (
              <section aria-labelledby="msg-title">
                <h3 id="msg-title">Messages to the guest</h3>
                <ul class="guest-messages">
                  {c.messages.map((m) => (
                    <li key={m.id} data-testid="guest-message" data-status={m.status} class={`msg-${m.status}`}>
                      {guestMessageLabel(m)}
                    </li>
                  ))}
                </ul>
              </section>
            )}

            {c.resolution && (
              <section aria-labelledby="res-title">
                <h3 id="res-title">Resolution</h3>
                <p>
                  Root cause: {c.resolution.root_cause}
                  {c.resolution.note ? ` — ${c.resolution.note}` : ''}
                </p>
              </section>
            )}

            <section aria-labelledby="tl-title">
              <h3 id="tl-title">What happened</h3>
              <ol class="timeline">
                {timelineOf(c).map((t, i) => (
                  <li key={i}>
                    <time dateTime={t.at}>{clockTime(t.at)}</time>
                    <span class="tl-what">{eventLabel(asText(t.what))}</span>
                    {t.detail ? <span class="tl-detail">{asText(t.detail)}</span> : null}
                  </li>
                ))}
              </ol>
            </section>

            {stale && (
              <p class="stale-note" role="alert" data-testid="stale-note">
                The recommendation changed while you were looking at it: check it and decide again.
              </p>
            )}
            {error && (
              <p class="error" role="alert" data-testid="sheet-error">
                {error}
              </p>
            )}
            {done && (
              <p class="done" role="status">
                {done}
              </p>
            )}

            {mode === null ? (
              <div class="actions" role="group" aria-label="Actions">
                {canAck && (
                  <button
                    type="button"
                    class="btn"
                    disabled={busy}
                    onClick={() => void run('Acknowledged.', () => api.acknowledge(c.id))}
                  >
                    Acknowledge
                  </button>
                )}
                {canDecideNow && !overAuthority && (
                  <>
                    <button type="button" class="btn btn-primary" onClick={() => choose('approve')}>
                      Approve
                    </button>
                    <button type="button" class="btn" onClick={() => choose('edit')}>
                      Edit
                    </button>
                  </>
                )}
                {canDecideNow && overAuthority && (
                  <p class="needs-higher" data-testid="needs-higher">
                    Needs {roleWithArticle(needs!)}
                  </p>
                )}
                {canDecideNow && (
                  <button type="button" class="btn btn-danger" onClick={() => choose('reject')}>
                    Reject
                  </button>
                )}
                {canAction && (
                  <button type="button" class="btn" onClick={() => choose('action')}>
                    Mark actioned
                  </button>
                )}
                {canResolve && (
                  <button type="button" class="btn" onClick={() => choose('resolve')}>
                    Resolve
                  </button>
                )}
                {canFollowUp && (
                  <>
                    <button type="button" class="btn btn-primary" onClick={() => choose('send')}>
                      Send follow-up
                    </button>
                    <button type="button" class="btn" onClick={() => choose('skip')}>
                      Skip follow-up
                    </button>
                  </>
                )}
              </div>
            ) : (
              <form class="action-form" onSubmit={submit} data-mode={mode}>
                {mode === 'edit' && (
                  <label class="field">
                    <span>Recommendation</span>
                    <textarea
                      name="recommendation"
                      rows={3}
                      value={editText}
                      onInput={(e) => setEditText(e.currentTarget.value)}
                    />
                  </label>
                )}
                {mode === 'send' && followMessageField('Message to the guest')}
                {(mode === 'approve' || mode === 'edit' || mode === 'reject' || mode === 'send' || mode === 'skip') && (
                  <label class="field">
                    <span>Reason (required)</span>
                    <input
                      name="reason"
                      type="text"
                      autocomplete="off"
                      maxLength={500}
                      value={reason}
                      onInput={(e) => setReason(e.currentTarget.value)}
                    />
                  </label>
                )}
                {mode === 'resolve' && (
                  <label class="field">
                    <span>Root cause</span>
                    <select
                      name="root_cause"
                      value={rootCause}
                      onChange={(e) => setRootCause(e.currentTarget.value)}
                    >
                      <option value="" disabled>
                        Choose…
                      </option>
                      {kRootCauses.map(([v, label]) => (
                        <option key={v} value={v}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                {(mode === 'action' || mode === 'resolve') && (
                  <label class="field">
                    <span>Note{mode === 'action' ? ' (what was done)' : ''}</span>
                    <input
                      name="note"
                      type="text"
                      autocomplete="off"
                      maxLength={500}
                      value={note}
                      onInput={(e) => setNote(e.currentTarget.value)}
                    />
                  </label>
                )}
                {mode === 'resolve' && (
                  <div class="follow-up">
                    <label class="check">
                      <input
                        type="checkbox"
                        name="follow_up"
                        checked={followUp}
                        onChange={(e) => setFollowUp(e.currentTarget.checked)}
                      />
                      <span>Follow up with the guest</span>
                    </label>
                    {followUp && (
                      <>
                        <label class="field">
                          <span>After (hours)</span>
                          <input
                            name="follow_up_hours"
                            type="number"
                            inputMode="numeric"
                            min={1}
                            max={24 * 90}
                            step={1}
                            value={followHours}
                            onInput={(e) => setFollowHours(e.currentTarget.value)}
                          />
                        </label>
                        {followMessageField('Message')}
                      </>
                    )}
                  </div>
                )}
                <div class="actions">
                  <button
                    type="submit"
                    class={'btn ' + (mode === 'reject' ? 'btn-danger' : 'btn-primary')}
                    disabled={
                      busy ||
                      ((mode === 'approve' || mode === 'edit' || mode === 'reject' || mode === 'send' || mode === 'skip') &&
                        !reason.trim()) ||
                      (mode === 'send' && !followMessage.trim()) ||
                      (mode === 'edit' && !editText.trim()) ||
                      (mode === 'resolve' && !rootCause) ||
                      (mode === 'resolve' && followUp && (!followHoursOk || !followMessage.trim()))
                    }
                  >
                    {kConfirm[mode]}
                  </button>
                  <button type="button" class="btn btn-quiet" onClick={() => setMode(null)} disabled={busy}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

const kConfirm: Record<Exclude<Mode, null>, string> = {
  approve: 'Confirm approval',
  edit: 'Approve edited',
  reject: 'Confirm rejection',
  action: 'Mark actioned',
  resolve: 'Resolve case',
  send: 'Send to the guest',
  skip: 'Confirm skip',
};

// The detail endpoint's merged timeline; before it arrives, the evidence and history we have.
function timelineOf(c: Case): TimelineEntry[] {
  if (c.timeline && c.timeline.length > 0) return c.timeline;
  const out: TimelineEntry[] = [];
  for (const e of c.evidence ?? []) out.push({ at: e.ts, what: e.type, detail: e.note });
  for (const h of c.history ?? []) {
    out.push({ at: h.at, what: `${statusLabel(h.from)} → ${statusLabel(h.to)}`, detail: h.note });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function openedLabel(ms: number): string {
  const age = ageLabel(ms);
  return age === 'just now' ? 'opened just now' : `opened ${age} ago`;
}

// The timeline's fields are meant to be words; show anything else readably rather than fail.
function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function guestName(g: Guest | undefined): string {
  return typeof g?.name === 'string' ? g.name.trim() : '';
}

// "Ana Lopez · Returning guest, 6 visits"; empty when nothing is known of the guest.
function guestLine(g: Guest | undefined): string {
  if (!g) return '';
  const hasTier = typeof g.tier === 'string';
  const name = guestName(g);
  if (!hasTier && !name) return '';
  const tier = tierLabel(hasTier ? (g.tier as string) : undefined, typeof g.visits === 'number' ? g.visits : undefined);
  return name ? `${name} · ${tier}` : tier;
}

const kPossessive: Record<string, string> = {
  staff: "a staff member's",
  manager: "a manager's",
  admin: "an admin's",
};

function possessive(role: string): string {
  return kPossessive[role] ?? `${role}'s`;
}

// The message the guest gets after the recovery: a start the person finishes in their words.
function followUpDraft(c: Case): string {
  const name = guestName(c.guest);
  return `Dear ${name || 'guest'}, thank you for coming to see us, and I'm sorry ${apologyFor(c.kind)}. We would love to welcome you back soon.`;
}

function apologyFor(kind: string): string {
  switch (kind) {
    case 'table.no_order':
    case 'arrival.unseated':
      return 'you were kept waiting';
    case 'course.slow':
      return 'your meal took so long to arrive';
    case 'bill.slow':
      return 'you had to wait for the bill';
    case 'call.unanswered':
      return 'nobody came when you called';
    default:
      return 'your visit was not what it should have been';
  }
}
