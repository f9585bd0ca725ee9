// The digital employees for managers: each one's job, what it reads and may do, and its track
// record over a period (what people did with its cases), with the switch to turn it off or keep
// it to recommending. Every change is authorised and audited by mendd.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { kindLabel, money } from '../format';
import type { Employee, EmployeeChange, TrackRecord } from '../types';

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

  const change = async (id: string, c: EmployeeChange) => {
    setBusy(id);
    setError(null);
    try {
      await api.changeEmployee(id, c);
      await load();
    } catch (e) {
      if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
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
