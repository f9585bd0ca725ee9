// The weekly report: one week's measures against the week before, the suggestions, the tasks,
// the repeats and each employee's record, laid out to print (the browser's own print, to paper
// or a PDF). From mendd's GET /api/v1/reports/weekly.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { WeeklyReport as Report } from '../types';
import { Charts, MeasureList, Repeats, duration } from './Learning';

interface Props {
  currency?: string | null;
  onAuthLost(e: unknown): boolean;
  onClose(): void;
}

// The Monday `weeks` weeks before `monday` ("2026-11-30").
function shift(monday: string, weeks: number): string {
  const d = new Date(monday + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() + 7 * weeks);
  return d.toISOString().slice(0, 10);
}

export function WeeklyReport({ currency, onAuthLost, onClose }: Props) {
  const [week, setWeek] = useState<string | undefined>(undefined);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setReport(await api.weeklyReport(week));
    } catch (e) {
      if (!onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    }
  }, [week, onAuthLost]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <article class="weekly-report" data-testid="weekly-report">
      <div class="pane-head no-print">
        <button type="button" class="btn btn-quiet" onClick={onClose}>
          Back
        </button>
        {report && (
          <>
            <button type="button" class="btn btn-quiet" onClick={() => setWeek(shift(report.week, -1))}>
              Week before
            </button>
            <button type="button" class="btn btn-quiet" onClick={() => setWeek(shift(report.week, 1))}>
              Week after
            </button>
          </>
        )}
        <button type="button" class="btn btn-primary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report === null && !error && <p class="muted">Loading…</p>}
      {report && (
        <>
          <h2 id="report-title" class="pane-title">
            The week of {report.week}
            {!report.complete && <span class="muted"> (so far)</span>}
          </h2>
          <MeasureList now={report.current} before={report.previous} currency={currency} />
          <h3>Suggestions</h3>
          {report.suggestions.length === 0 ? (
            <p class="muted">Nothing to suggest from this week's numbers.</p>
          ) : (
            <ol class="report-suggestions">
              {report.suggestions.map((s) => (
                <li key={s.id}>
                  {s.text}
                  {s.decision && <span class="muted"> ({s.decision.decision})</span>}
                </li>
              ))}
            </ol>
          )}
          <h3>Open tasks</h3>
          {report.tasks.filter((t) => !t.done_at).length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul>
              {report.tasks
                .filter((t) => !t.done_at)
                .map((t) => (
                  <li key={t.task}>
                    Task {t.task} for the {t.owner}: {t.text}
                  </li>
                ))}
            </ul>
          )}
          <h3>Repeats over weeks</h3>
          <Repeats data={report} />
          <h3>The employees' week</h3>
          <table class="report-employees" data-testid="report-employees">
            <thead>
              <tr>
                <th scope="col">Employee</th>
                <th scope="col">Raised</th>
                <th scope="col">Taken up</th>
                <th scope="col">Approved / edited / rejected</th>
                <th scope="col">Median to take up</th>
                <th scope="col">Median to resolve</th>
              </tr>
            </thead>
            <tbody>
              {report.employees.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.title}</th>
                  <td>{e.record.raised}</td>
                  <td>{e.record.acknowledged}</td>
                  <td>
                    {e.record.approved} / {e.record.edited} / {e.record.rejected}
                  </td>
                  <td>{duration(e.record.median_acknowledge_s)}</td>
                  <td>{duration(e.record.median_resolve_s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Charts data={report} />
        </>
      )}
    </article>
  );
}
