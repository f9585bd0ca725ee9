// The venue's learning, for managers: what went wrong over a period against the period before,
// what repeats at one place over weeks, and suggestions drawn from those numbers, which a
// manager accepts (a task for its owner) or dismisses. Every number comes from mendd's
// GET /api/v1/insights; charts sit beside tables of the same numbers.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { dateLabel, dateTimeLabel, employeeLabel, kindLabel, money } from '../format';
import type { Insights, InsightsView, Measures, Suggestion, SuggestionRecord } from '../types';
import { BarChart } from './BarChart';
import { RiskModel } from './RiskModel';

interface Props {
  currency?: string | null;
  onAuthLost(e: unknown): boolean;
  onWeeklyReport(): void;
}

const kPeriods: [string, string][] = [
  ['today', 'Today'],
  ['week', 'This week'],
  ['30d', 'Last 30 days'],
  ['custom', 'Custom'],
];
const kKinds = [
  'table.no_order',
  'course.slow',
  'bill.slow',
  'call.unanswered',
  'arrival.unseated',
  'enquiry.unanswered',
  'temperature.out_of_range',
  'device.offline',
  'review.negative',
  'voids.repeated',
  'guest.complaint',
  'guest.enquiry',
  'guest.other',
  'guest.lapsed',
];
export const kWeekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const kHours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined) return '—';
  if (s < 60) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

// The counts of `rows` (key -> count) as labels and values, with the previous period's beside.
function keyed(now: Measures['by_kind'], before: Measures['by_kind'], label: (k: string) => string) {
  const keys = [...new Set([...now.map((r) => r.key), ...before.map((r) => r.key)])];
  const of = (rows: Measures['by_kind'], k: string) => rows.find((r) => r.key === k)?.count ?? 0;
  keys.sort((a, b) => of(now, b) - of(now, a) || a.localeCompare(b));
  return {
    labels: keys.map(label),
    values: keys.map((k) => of(now, k)),
    previous: keys.map((k) => of(before, k)),
  };
}

function change(now: number, before: number): string {
  if (now === before) return 'same as before';
  return `${now > before ? '+' : '−'}${Math.abs(now - before)} on before`;
}

export function MeasureList({ now, before, currency }: { now: Measures; before: Measures; currency?: string | null }) {
  const judged = (m: Measures) => m.approved + m.edited + m.rejected;
  return (
    <dl class="record measures" data-testid="measures">
      <div>
        <dt>Cases</dt>
        <dd data-testid="measure-cases">{now.cases}</dd>
        <dd class="muted">{change(now.cases, before.cases)}</dd>
      </div>
      <div>
        <dt>To take up (p50 / p90)</dt>
        <dd>
          {duration(now.acknowledge.p50_s)} / {duration(now.acknowledge.p90_s)}
        </dd>
        <dd class="muted">
          before {duration(before.acknowledge.p50_s)} / {duration(before.acknowledge.p90_s)}
        </dd>
      </div>
      <div>
        <dt>To act (p50 / p90)</dt>
        <dd>
          {duration(now.act.p50_s)} / {duration(now.act.p90_s)}
        </dd>
        <dd class="muted">
          before {duration(before.act.p50_s)} / {duration(before.act.p90_s)}
        </dd>
      </div>
      <div>
        <dt>To resolve (p50 / p90)</dt>
        <dd>
          {duration(now.resolve.p50_s)} / {duration(now.resolve.p90_s)}
        </dd>
        <dd class="muted">
          before {duration(before.resolve.p50_s)} / {duration(before.resolve.p90_s)}
        </dd>
      </div>
      <div>
        <dt>Compensation</dt>
        <dd>{money(now.compensation, currency)}</dd>
        <dd class="muted">before {money(before.compensation, currency)}</dd>
      </div>
      <div>
        <dt>Guests' verdict</dt>
        <dd>
          {now.satisfaction === null
            ? 'no surveys'
            : `${now.satisfaction.toFixed(1)} of 5 (${now.satisfied} of ${now.surveys} satisfied)`}
        </dd>
        <dd class="muted">
          before {before.satisfaction === null ? 'no surveys' : `${before.satisfaction.toFixed(1)} of 5`}
        </dd>
      </div>
      <div>
        <dt>Rework (edited or rejected)</dt>
        <dd data-testid="measure-rework">
          {now.edited + now.rejected} of {judged(now)}
        </dd>
        <dd class="muted">
          before {before.edited + before.rejected} of {judged(before)}
        </dd>
      </div>
    </dl>
  );
}

export function Charts({ data }: { data: Insights }) {
  const { current: now, previous: before } = data;
  const kinds = keyed(now.by_kind, before.by_kind, kindLabel);
  const areas = keyed(now.by_area, before.by_area, (k) => k || 'no area');
  const causes = keyed(now.by_root_cause, before.by_root_cause, (k) => k);
  return (
    <div class="charts">
      <BarChart title="By kind" testId="chart-kind" {...kinds} />
      <BarChart title="By hour" testId="chart-hour" labels={kHours} values={now.by_hour} previous={before.by_hour} />
      <BarChart
        title="By weekday"
        testId="chart-weekday"
        labels={kWeekdays}
        values={now.by_weekday}
        previous={before.by_weekday}
      />
      <BarChart title="By area" testId="chart-area" {...areas} />
      <BarChart title="Root causes" testId="chart-cause" {...causes} />
    </div>
  );
}

export function Repeats({ data }: { data: Insights }) {
  if (data.repeats.length === 0) return <p class="muted">Nothing repeated at one place in different weeks.</p>;
  return (
    <table class="repeats" data-testid="repeats">
      <caption>The same failure at one place in different weeks</caption>
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">Where</th>
          <th scope="col">Weeks</th>
          <th scope="col">Cases</th>
          <th scope="col">Last</th>
        </tr>
      </thead>
      <tbody>
        {data.repeats.map((r) => (
          <tr key={r.kind + r.place + r.where + (r.course ?? '')}>
            <td>{r.words}</td>
            <td>{r.place === 'table' ? `Table ${r.where}` : r.where}</td>
            <td>{r.weeks}</td>
            <td>{r.cases.length}</td>
            <td>{dateLabel(r.last)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function decisionText(r: SuggestionRecord): string {
  const who = r.by_name || r.by.id;
  if (r.decision === 'dismissed') return `Dismissed by ${who} · ${dateTimeLabel(r.at)}`;
  const done = r.done_at ? ` · done ${dateTimeLabel(r.done_at)}` : ' · open';
  return `Accepted by ${who}: task ${r.task} for the ${r.owner}${done}`;
}

export function Learning({ currency, onAuthLost, onWeeklyReport }: Props) {
  const [view, setView] = useState<InsightsView>({ period: '30d' });
  const [data, setData] = useState<Insights | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await api.insights(view));
    } catch (e) {
      if (!onAuthLost(e)) setError(errorText(e));
    }
  }, [view, onAuthLost]);

  useEffect(() => {
    if (view.period === 'custom' && (!view.from || !view.to)) return;
    void load();
  }, [load, view]);

  const decide = async (s: Suggestion, decision: 'accept' | 'dismiss') => {
    setBusy(s.id);
    setError(null);
    try {
      await api.decideSuggestion({ suggestion: s.id, decision, view });
      await load();
    } catch (e) {
      if (!onAuthLost(e)) setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const finish = async (task: number) => {
    setBusy('task-' + task);
    try {
      await api.finishTask(task);
      await load();
    } catch (e) {
      if (!onAuthLost(e)) setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const set = (k: keyof InsightsView, v: string) => setView((old) => ({ ...old, [k]: v || undefined }));
  const open = data?.suggestions.filter((s) => !s.decision || s.decision.decision === 'accepted') ?? [];
  const dismissed = data?.suggestions.filter((s) => s.decision?.decision === 'dismissed') ?? [];

  return (
    <>
      <div class="pane-head">
        <h2 id="learning-title" class="pane-title">
          Learning
        </h2>
        <button type="button" class="btn btn-quiet" onClick={onWeeklyReport}>
          Weekly report
        </button>
      </div>
      <form class="learning-filter" onSubmit={(e) => e.preventDefault()} aria-label="Period and filter">
        <label class="field field-inline">
          <span>Period</span>
          <select name="period" value={view.period} onChange={(e) => set('period', e.currentTarget.value)}>
            {kPeriods.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {view.period === 'custom' && (
          <>
            <label class="field field-inline">
              <span>From</span>
              <input type="date" name="from" value={view.from ?? ''} onChange={(e) => set('from', e.currentTarget.value)} />
            </label>
            <label class="field field-inline">
              <span>To</span>
              <input type="date" name="to" value={view.to ?? ''} onChange={(e) => set('to', e.currentTarget.value)} />
            </label>
          </>
        )}
        <label class="field field-inline">
          <span>Kind</span>
          <select name="kind" value={view.kind ?? ''} onChange={(e) => set('kind', e.currentTarget.value)}>
            <option value="">All kinds</option>
            {kKinds.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data === null && !error && <p class="muted">Loading…</p>}
      {data !== null && (
        <div class="learning" data-testid="learning">
          <p class="muted" data-testid="learning-period">
            {data.period.words}: {dateLabel(data.period.from)} to {dateLabel(data.period.to)}, against as long
            before
          </p>
          <MeasureList now={data.current} before={data.previous} currency={currency} />
          <section aria-labelledby="suggestions-title">
            <h3 id="suggestions-title">Suggestions</h3>
            {open.length === 0 && <p class="muted">Nothing to suggest from these numbers.</p>}
            <ul class="suggestions">
              {open.map((s) => (
                <li key={s.id} class="suggestion" data-suggestion={s.id}>
                  <p>{s.text}</p>
                  <p class="muted">
                    {employeeLabel(s.employee)}'s cases · for the {s.owner} · {s.evidence.length}{' '}
                    {s.evidence.length === 1 ? 'case' : 'cases'} behind it
                  </p>
                  {s.decision ? (
                    <p class="status-pill" data-testid="suggestion-decision">
                      {decisionText(s.decision)}
                    </p>
                  ) : (
                    <div class="actions" role="group" aria-label="Decide">
                      <button type="button" class="btn btn-primary" disabled={busy === s.id} onClick={() => void decide(s, 'accept')}>
                        Accept
                      </button>
                      <button type="button" class="btn btn-quiet" disabled={busy === s.id} onClick={() => void decide(s, 'dismiss')}>
                        Dismiss
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
            {dismissed.length > 0 && <p class="muted">{dismissed.length} dismissed.</p>}
          </section>
          {data.tasks.length > 0 && (
            <section aria-labelledby="tasks-title">
              <h3 id="tasks-title">Tasks from suggestions</h3>
              <ul class="tasks" data-testid="tasks">
                {data.tasks.map((t) => (
                  <li key={t.task} class={'task' + (t.done_at ? ' task-done' : '')}>
                    <p>{t.text}</p>
                    <p class="muted">{decisionText(t)}</p>
                    {!t.done_at && (
                      <button type="button" class="btn" disabled={busy === 'task-' + t.task} onClick={() => void finish(t.task)}>
                        Mark done
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <Charts data={data} />
          <section aria-labelledby="repeats-title">
            <h3 id="repeats-title">Repeats over weeks</h3>
            <Repeats data={data} />
          </section>
          <section aria-labelledby="risk-title">
            <h3 id="risk-title">At-risk model</h3>
            <RiskModel onAuthLost={onAuthLost} />
          </section>
        </div>
      )}
    </>
  );
}
