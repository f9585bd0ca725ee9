// The at-risk model on the manager's page: whether it is on (and why not), how it did on the
// latest visits it never saw, what each feature weighs, and every version trained. Numbers come
// from mendd's GET /api/v1/risk/model.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { dateTimeLabel } from '../format';
import type { RiskModel as RiskModelData } from '../types';

interface Props {
  onAuthLost(e: unknown): boolean;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

export function RiskModel({ onAuthLost }: Props) {
  const [data, setData] = useState<RiskModelData | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Read once when the page opens: the model changes once a night.
  const authLost = useRef(onAuthLost);
  authLost.current = onAuthLost;
  useEffect(() => {
    let live = true;
    api.riskModel().then(
      (d) => live && setData(d),
      (e) => {
        if (!live || authLost.current(e)) return;
        setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  if (error) {
    return (
      <p class="load-error" role="alert">
        The at-risk model could not be loaded: {error}
      </p>
    );
  }
  if (!data) return <p class="muted">Loading the at-risk model…</p>;
  const m = data.model;
  const biggest = m ? Math.max(...m.features.map((f) => Math.abs(f.weight)), 1e-9) : 1;
  return (
    <div class="risk-model" data-testid="risk-model" data-status={data.status}>
      {!m ? (
        <p class="risk-off" data-testid="risk-off">
          Off: {data.reason}
        </p>
      ) : (
        <>
          <p>
            Version {m.version}, trained on visits from {dateTimeLabel(m.trained_from)} to{' '}
            {dateTimeLabel(m.trained_to)}; judged on the {m.validation.samples} snapshots of later visits it never
            saw.
          </p>
          <dl class="record measures" data-testid="risk-metrics">
            <div>
              <dt>ROC AUC</dt>
              <dd data-testid="risk-auc">{m.validation.auc.toFixed(2)}</dd>
            </div>
            <div>
              <dt>Flags that were right</dt>
              <dd>{pct(m.validation.precision)}</dd>
            </div>
            <div>
              <dt>Bad visits flagged</dt>
              <dd>{pct(m.validation.recall)}</dd>
            </div>
            <div>
              <dt>Flag at</dt>
              <dd>{pct(m.threshold)}</dd>
            </div>
          </dl>
          <table class="risk-weights" data-testid="risk-weights">
            <caption>What each feature weighs (per standard deviation, in log-odds)</caption>
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col">Weight</th>
              </tr>
            </thead>
            <tbody>
              {m.features.map((f) => (
                <tr key={f.name}>
                  <th scope="row">
                    {f.name.replace(/_/g, ' ')}
                    <span class="muted weight-what">{f.description}</span>
                  </th>
                  <td>
                    <span class={'weight-bar' + (f.weight < 0 ? ' weight-neg' : '')} aria-hidden="true">
                      <span style={{ width: `${(Math.abs(f.weight) / biggest) * 100}%` }} />
                    </span>
                    {f.weight >= 0 ? '+' : ''}
                    {f.weight.toFixed(2)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {data.versions.length > 0 && (
        <ul class="risk-versions" aria-label="Versions trained">
          {data.versions.map((v) => (
            <li key={v.version}>
              Version {v.version}, {dateTimeLabel(v.trained_at)}: {v.promoted ? 'promoted' : 'kept, not used'}. {v.note}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
