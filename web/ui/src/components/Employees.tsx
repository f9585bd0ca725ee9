// The digital employees for managers: each one's job, what it reads and may do, and its track
// record over a period (what people did with its cases), with the switch to turn it off or keep
// it to recommending, and its limits to tune. Every change is authorised and audited by mendd.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { kindLabel, money } from '../format';
import type { Employee, EmployeeChange, EmployeeLimit, TrackRecord } from '../types';

interface Props {
  canChange: boolean;
  currency?: string | null;
  onAuthLost(e: unknown): boolean;
}

const kPeriods = [7, 30, 90];

function minutes(s: number | null): string {
  if (s === null) return '—';
  return s < 60 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export function Employees({ canChange, currency, onAuthLost }: Props) {
  const [days, setDays] = useState(30);
  const [list, setList] = useState<Employee[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setList((await api.employees(days)).employees);
    } catch (e) {
      if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    }
  }, [days, onAuthLost]);

  useEffect(() => {
    void load();
  }, [load]);

  // True when mendd took the change.
  const change = async (id: string, c: EmployeeChange): Promise<boolean> => {
    setBusy(id);
    setError(null);
    try {
      await api.changeEmployee(id, c);
      await load();
      return true;
    } catch (e) {
      if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div class="pane-head">
        <h2 id="employees-title" class="pane-title">
          Employees
        </h2>
        <label class="field field-inline">
          <span>Last</span>
          <select name="days" value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {kPeriods.map((d) => (
              <option key={d} value={String(d)}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p class="muted">Loading…</p>}
      {list !== null && (
        <ul class="employees" aria-label="Digital employees">
          {list.map((e) => (
            <li key={e.id} class={'employee' + (e.enabled ? '' : ' employee-off')} data-employee={e.id}>
              <div class="employee-head">
                <h3>{e.title}</h3>
                <span class="status-pill" data-testid="employee-state">
                  {e.enabled ? 'On' : 'Off'}
                </span>
                <span class="muted">
                  {e.may === 'act' ? 'Acts where the policy allows' : 'Recommends only'} · owner: {e.owner}
                </span>
              </div>
              <p>{e.job}</p>
              <p class="muted employee-reads">
                Reads: {e.signals.join(', ')} · Cases: {e.kinds.map(kindLabel).join(', ')}
                {e.may === 'act' && e.automatic_kinds.length > 0 && (
                  <> · Runs by itself: {e.automatic_kinds.map(kindLabel).join(', ')}</>
                )}
              </p>
              <Record record={e.record} currency={currency} />
              {e.limits.length > 0 && (
                <Limits
                  employee={e}
                  canChange={canChange}
                  busy={busy === e.id}
                  onSave={(limits, reason) => change(e.id, { limits, ...(reason ? { reason } : {}) })}
                />
              )}
              {canChange && (
                <div class="actions" role="group" aria-label={`Change ${e.title}`}>
                  {e.can_switch_off && (
                    <button
                      type="button"
                      class="btn"
                      disabled={busy === e.id}
                      onClick={() => void change(e.id, { enabled: !e.enabled })}
                    >
                      {e.enabled ? 'Switch off' : 'Switch on'}
                    </button>
                  )}
                  <button
                    type="button"
                    class="btn btn-quiet"
                    disabled={busy === e.id}
                    onClick={() => void change(e.id, { may: e.may === 'act' ? 'recommend' : 'act' })}
                  >
                    {e.may === 'act' ? 'Recommend only' : 'Let it act'}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Record({ record: r, currency }: { record: TrackRecord; currency?: string | null }) {
  const judged = r.approved + r.edited + r.rejected;
  return (
    <dl class="record" data-testid="record">
      <div>
        <dt>Raised</dt>
        <dd data-testid="raised">{r.raised}</dd>
      </div>
      <div>
        <dt>Taken up</dt>
        <dd>{r.acknowledged}</dd>
      </div>
      <div>
        <dt>Approved / edited / rejected</dt>
        <dd>
          {r.approved} / {r.edited} / {r.rejected}
        </dd>
      </div>
      <div>
        <dt>Taken as it was</dt>
        <dd>{r.precision === null ? 'not judged yet' : `${Math.round(r.precision * 100)} % of ${judged}`}</dd>
      </div>
      <div>
        <dt>Median to take up / resolve</dt>
        <dd>
          {minutes(r.median_acknowledge_s)} / {minutes(r.median_resolve_s)}
        </dd>
      </div>
      <div>
        <dt>Compensation</dt>
        <dd>{money(r.compensation, currency)}</dd>
      </div>
      <div>
        <dt>Guests' verdict</dt>
        <dd>
          {r.satisfaction === null
            ? 'no surveys yet'
            : `${r.satisfaction.toFixed(1)} of 5 (${r.satisfied} of ${r.surveys} satisfied)`}
        </dd>
      </div>
    </dl>
  );
}

const kLimitLabels: Record<string, string> = {
  arrival_unseated: 'Arrived, not seated',
  table_no_order: 'Seated, no order',
  course_default: 'Any other course',
  bill_slow: 'Bill asked for, not paid',
  call_unanswered: 'Call button unanswered',
  voids_count: 'Voids on one check',
  temperature_low: 'Lowest safe temperature (°C)',
  temperature_high: 'Highest safe temperature (°C)',
  temperature_for: 'Out of its band for',
  device_offline: 'Device offline for',
  device_silence: 'Device silent for',
  enquiry_unanswered: 'Enquiry unanswered',
  review_max_rating: 'Review rating at or below',
  pattern_count: 'Cases that make a pattern',
  pattern_window: 'Pattern window',
};

export function limitLabel(key: string): string {
  if (key.startsWith('course.')) {
    const course = key.slice('course.'.length);
    return `${course.charAt(0).toUpperCase()}${course.slice(1)} course served`;
  }
  return kLimitLabels[key] ?? key;
}

interface LimitsProps {
  employee: Employee;
  canChange: boolean;
  busy: boolean;
  onSave(limits: Record<string, string>, reason: string): Promise<boolean>;
}

// The limits an employee works to; a manager tunes them in place. Only the limits whose text
// changed are sent; mendd reads and bounds each as the config file's value would be.
function Limits({ employee: e, canChange, busy, onSave }: LimitsProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const start = () => {
    setDraft(Object.fromEntries(e.limits.map((l: EmployeeLimit) => [l.key, l.value])));
    setReason('');
    setEditing(true);
  };
  const changed = Object.fromEntries(
    e.limits.filter((l) => draft[l.key] !== undefined && draft[l.key].trim() !== l.value).map((l) => [l.key, draft[l.key].trim()]),
  );
  const save = async (ev: Event) => {
    ev.preventDefault();
    if (await onSave(changed, reason.trim())) setEditing(false);
  };
  if (!editing) {
    return (
      <div class="limits">
        <table class="limits-table" aria-label={`${e.title}'s limits`}>
          <tbody>
            {e.limits.map((l) => (
              <tr key={l.key} data-limit={l.key} title={l.description}>
                <th scope="row">{limitLabel(l.key)}</th>
                <td data-testid="limit-value">{l.value}</td>
                <td class="muted">{l.tuned ? `tuned here; the config says ${l.configured}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {canChange && (
          <button type="button" class="btn btn-quiet" disabled={busy} onClick={start}>
            Tune limits
          </button>
        )}
      </div>
    );
  }
  return (
    <form class="limits limits-form" aria-label={`Tune ${e.title}'s limits`} onSubmit={(ev) => void save(ev)}>
      <p class="muted">Durations as 90s, 12m or 2h. A new limit applies to waits that start after you save it.</p>
      {e.limits.map((l) => (
        <label key={l.key} class="limit-field" data-limit={l.key}>
          <span>{limitLabel(l.key)}</span>
          <input
            name={l.key}
            value={draft[l.key] ?? l.value}
            inputMode={/^[0-9.-]+$/.test(l.configured) ? 'decimal' : 'text'}
            aria-describedby={`limit-help-${e.id}-${l.key}`}
            onInput={(ev) => setDraft({ ...draft, [l.key]: ev.currentTarget.value })}
          />
          <small id={`limit-help-${e.id}-${l.key}`} class="muted">
            {l.description} The config says {l.configured}.
          </small>
        </label>
      ))}
      <label class="field">
        <span>Why (kept in the audit log)</span>
        <input name="reason" value={reason} maxLength={1000} onInput={(ev) => setReason(ev.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="submit" class="btn" disabled={busy || Object.keys(changed).length === 0}>
          Save limits
        </button>
        <button type="button" class="btn btn-quiet" disabled={busy} onClick={() => setEditing(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
