// The contribution ledger on the tablet (docs/ledger.md). Everyone sees their own record: what
// they earned, why, on what evidence, and whether it counts yet. A manager also sees the team
// by period and by kind of contribution, countersigns or corrects entries, confirms a training,
// and sees the cases nobody closed properly. No leaderboard unless the venue turned one on:
// this is for recognition and accountability, not pressure.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { dateLabel, kindLabel } from '../format';
import type { LedgerEntry, MyLedger, TeamLedger, User } from '../types';

interface Props {
  user: User;
  onOpenCase(id: string): void;
  onAuthLost(e: unknown): boolean;
}

type Period = TeamLedger['period'];

const kRules: Record<string, string> = {
  case_closed: 'Case closed properly',
  guest_recovered: 'Guest recovered',
  cause_fixed: 'Cause fixed',
  training: 'Training',
};

const kStatuses: Record<string, string> = {
  counts: 'Counts',
  awaiting_countersign: 'Awaiting a countersignature',
  corrected: 'Corrected',
  recorded: 'Recorded',
};

const kPeriods: { value: Period; label: string }[] = [
  { value: 'week', label: 'Week' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: 'all', label: 'All' },
];

function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

function points(n: number): string {
  const v = Number.isInteger(n) ? String(n) : n.toFixed(2);
  return `${v} ${Math.abs(n) === 1 ? 'point' : 'points'}`;
}

function entryTitle(e: LedgerEntry): string {
  if (e.kind === 'countersign') return `Countersigned entry ${e.refers}`;
  if (e.kind === 'correction') return `Corrected entry ${e.refers}`;
  return kRules[e.rule] ?? e.rule;
}

export function Record({ user, onOpenCase, onAuthLost }: Props) {
  const isManager = user.role === 'manager' || user.role === 'admin';
  const [mine, setMine] = useState<MyLedger | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped after a manager's act: both views read the ledger again.
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    api.myLedger().then(
      (m) => {
        if (live) {
          setMine(m);
          setError(null);
        }
      },
      (e) => {
        if (live && !onAuthLost(e)) setError(errorText(e));
      },
    );
    return () => {
      live = false;
    };
  }, [version, onAuthLost]);

  return (
    <article class="ledger-record" data-testid="ledger-record">
      <h2 id="record-title" class="pane-title">
        Your record
      </h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {mine === null && !error && <p class="muted">Loading…</p>}
      {mine && (
        <>
          <p class="record-summary" data-testid="ledger-points">
            {points(mine.points)} counted
            {mine.awaiting > 0 && `, ${points(mine.awaiting)} awaiting a manager's countersignature`}
          </p>
          {mine.entries.length === 0 ? (
            <p class="muted empty">
              Nothing yet. Entries come from outcomes: a case closed with its root cause and follow-up, a guest who comes
              back happy, a cause that stays fixed, a training a manager confirms.
            </p>
          ) : (
            <ol class="ledger-entries" aria-label="Your entries">
              {mine.entries.map((e) => (
                <EntryRow key={e.seq} entry={e} onOpenCase={onOpenCase} />
              ))}
            </ol>
          )}
        </>
      )}
      {isManager && <Team user={user} version={version} onChanged={() => setVersion((v) => v + 1)} onOpenCase={onOpenCase} onAuthLost={onAuthLost} />}
    </article>
  );
}

function EntryRow({
  entry: e,
  onOpenCase,
  children,
}: {
  entry: LedgerEntry;
  onOpenCase(id: string): void;
  children?: ComponentChildren;
}) {
  const cases = e.evidence.filter((ev) => ev.type === 'case').map((ev) => String(ev.id));
  return (
    <li class="ledger-entry" data-testid="ledger-entry" data-seq={e.seq} data-status={e.status} data-rule={e.rule}>
      <div class="ledger-entry-head">
        <strong>{entryTitle(e)}</strong>
        {e.kind === 'contribution' && <span class="ledger-points">{points(e.value)}</span>}
        {e.person_name && e.kind === 'contribution' && <span class="muted">{e.person_name}</span>}
        <span class="muted">{dateLabel(e.at)}</span>
        <span class={'status-pill ledger-status-' + e.status} data-testid="ledger-status">
          {kStatuses[e.status] ?? e.status}
        </span>
      </div>
      <p class="ledger-why">
        {e.kind === 'countersign' ? `Countersigned by ${e.by_name}` : e.kind === 'correction' ? `${e.by_name}: ${e.why}` : e.why}
      </p>
      {cases.length > 0 && (
        <p class="ledger-evidence">
          Evidence:{' '}
          {cases.map((id) => (
            <button key={id} type="button" class="btn-link" onClick={() => onOpenCase(id)}>
              case {id}
            </button>
          ))}
          {e.evidence.some((ev) => ev.type === 'audit' && Number(ev.id) > 0) &&
            ', audit ' +
              e.evidence
                .filter((ev) => ev.type === 'audit' && Number(ev.id) > 0)
                .map((ev) => `#${ev.id}`)
                .join(', ')}
        </p>
      )}
      {children}
    </li>
  );
}

function Team({
  user,
  version,
  onChanged,
  onOpenCase,
  onAuthLost,
}: {
  user: User;
  version: number;
  onChanged(): void;
  onOpenCase(id: string): void;
  onAuthLost(e: unknown): boolean;
}) {
  const [period, setPeriod] = useState<Period>('30d');
  const [team, setTeam] = useState<TeamLedger | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [correcting, setCorrecting] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const me = 'user:' + user.id;

  useEffect(() => {
    let live = true;
    api.teamLedger(period).then(
      (t) => {
        if (live) {
          setTeam(t);
          setError(null);
        }
      },
      (e) => {
        if (live && !onAuthLost(e)) setError(errorText(e));
      },
    );
    return () => {
      live = false;
    };
  }, [period, version, onAuthLost]);

  const act = useCallback(
    async (seq: number, run: () => Promise<unknown>) => {
      setBusy(seq);
      setError(null);
      try {
        await run();
        setCorrecting(null);
        setReason('');
        onChanged();
      } catch (e) {
        if (!onAuthLost(e)) setError(errorText(e));
      } finally {
        setBusy(null);
      }
    },
    [onChanged, onAuthLost],
  );

  return (
    <section class="ledger-team" aria-labelledby="team-title" data-testid="ledger-team">
      <div class="pane-head">
        <h2 id="team-title" class="pane-title">
          The team
        </h2>
        <div role="group" aria-label="Period">
          {kPeriods.map((p) => (
            <button
              key={p.value}
              type="button"
              class={'btn' + (period === p.value ? ' btn-primary' : ' btn-quiet')}
              aria-pressed={period === p.value}
              onClick={() => setPeriod(p.value)}
            >
              {p.label}
            </button>
          ))}
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {team === null && !error && <p class="muted">Loading…</p>}
      {team && (
        <>
          <h3>Awaiting your countersignature</h3>
          {team.awaiting_countersign.length === 0 ? (
            <p class="muted empty" data-testid="awaiting-empty">
              Nothing waits for a countersignature.
            </p>
          ) : (
            <ol class="ledger-entries" aria-label="Awaiting a countersignature" data-testid="awaiting">
              {team.awaiting_countersign.map((e) => (
                <EntryRow key={e.seq} entry={e} onOpenCase={onOpenCase}>
                  <div class="ledger-actions">
                    <button
                      type="button"
                      class="btn btn-primary"
                      disabled={busy !== null || e.person === me}
                      title={e.person === me ? 'Another manager countersigns your own entries' : undefined}
                      onClick={() => void act(e.seq, () => api.countersign(e.seq))}
                    >
                      Countersign
                    </button>
                    <button
                      type="button"
                      class="btn btn-quiet"
                      disabled={busy !== null}
                      onClick={() => setCorrecting(correcting === e.seq ? null : e.seq)}
                    >
                      Correct…
                    </button>
                  </div>
                  {correcting === e.seq && (
                    <form
                      class="ledger-correct"
                      onSubmit={(ev) => {
                        ev.preventDefault();
                        void act(e.seq, () => api.correctEntry(e.seq, reason));
                      }}
                    >
                      <label class="field">
                        <span>Why it does not stand</span>
                        <input
                          name="reason"
                          value={reason}
                          maxLength={1000}
                          required
                          onInput={(ev) => setReason(ev.currentTarget.value)}
                        />
                      </label>
                      <button type="submit" class="btn btn-danger" disabled={busy !== null || reason.trim() === ''}>
                        Correct entry {e.seq}
                      </button>
                    </form>
                  )}
                </EntryRow>
              ))}
            </ol>
          )}
          <h3>{team.leaderboard ? 'Points by person' : 'By person'}</h3>
          {team.people.length === 0 ? (
            <p class="muted empty">No contributions in this period.</p>
          ) : (
            <div class="table-scroll">
            <table class="ledger-people" data-testid="ledger-people">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Counted</th>
                  <th scope="col">Awaiting</th>
                  {Object.keys(kRules).map((r) => (
                    <th key={r} scope="col">
                      {kRules[r]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {team.people.map((p) => (
                  <tr key={p.person} data-person={p.person}>
                    <th scope="row">{p.name}</th>
                    <td>{p.points}</td>
                    <td>{p.awaiting}</td>
                    {Object.keys(kRules).map((r) => (
                      <td key={r}>{p.by_rule[r] ?? 0}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
          <h3>Cases not closed properly</h3>
          {team.not_closed_properly.length === 0 ? (
            <p class="muted empty">Every case in this period was closed with its root cause and follow-up.</p>
          ) : (
            <ul class="ledger-unclosed" data-testid="not-closed-properly">
              {team.not_closed_properly.map((u) => (
                <li key={u.case}>
                  <button type="button" class="btn-link" onClick={() => onOpenCase(u.case)}>
                    {kindLabel(u.kind)} ({u.case})
                  </button>{' '}
                  <span class="muted">
                    {dateLabel(u.opened_at)}: {u.why}
                    {u.resolved_by ? `, resolved by ${u.resolved_by}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Training me={me} onDone={onChanged} onAuthLost={onAuthLost} />
        </>
      )}
    </section>
  );
}

function Training({ me, onDone, onAuthLost }: { me: string; onDone(): void; onAuthLost(e: unknown): boolean }) {
  const [people, setPeople] = useState<{ id: string; name: string }[]>([]);
  const [person, setPerson] = useState('');
  const [what, setWhat] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    api.users().then(
      ({ users }) =>
        setPeople(
          users.filter((u) => !u.disabled && 'user:' + u.id !== me).map((u) => ({ id: 'user:' + u.id, name: u.name })),
        ),
      (e) => {
        if (!onAuthLost(e)) setNote(errorText(e));
      },
    );
  }, [me, onAuthLost]);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setNote(null);
    try {
      await api.confirmTraining(person, what.trim());
      setNote('Recorded.');
      setWhat('');
      onDone();
    } catch (e) {
      if (!onAuthLost(e)) setNote(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="ledger-training" onSubmit={(ev) => void submit(ev)} aria-labelledby="training-title">
      <h3 id="training-title">Confirm a training</h3>
      <label class="field">
        <span>Who</span>
        <select name="person" value={person} required onChange={(e) => setPerson(e.currentTarget.value)}>
          <option value="">Choose a person</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Which training</span>
        <input name="what" value={what} maxLength={1000} required onInput={(e) => setWhat(e.currentTarget.value)} />
      </label>
      <button type="submit" class="btn btn-primary" disabled={busy || person === '' || what.trim() === ''}>
        Confirm
      </button>
      {note && (
        <p class="muted" role="status">
          {note}
        </p>
      )}
    </form>
  );
}
