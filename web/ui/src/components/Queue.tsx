// Open cases, most urgent first (the order comes from App: severity, then the oldest).
import { useNow } from '../clock';
import { ageLabel, kindLabel, severityLabel, statusLabel, subjectLabel } from '../format';
import type { Case, FloorTable } from '../types';

interface Props {
  cases: Case[];
  // Tables the Floor employee flagged as at risk: heads-ups before a case, not cases.
  flagged: FloorTable[];
  skewMs: number;
  onOpenCase(id: string): void;
  // Opens the form for a case no signal shows (a complaint, a phone call).
  onReport(): void;
}

export function Queue({ cases, flagged, skewMs, onOpenCase, onReport }: Props) {
  const now = useNow(skewMs);
  return (
    <>
      <div class="pane-head">
        <h2 id="queue-title" class="pane-title">
          Cases <span class="count">{cases.length}</span>
        </h2>
        <button type="button" class="btn" onClick={onReport}>
          New case
        </button>
      </div>
      {flagged.length > 0 && (
        <ul class="flags" aria-label="Tables at risk">
          {flagged.map((t) => (
            <li key={t.table} class="flag-row" data-flag-table={t.table}>
              <span class="flag-head">
                <span class="flag-pill">At risk</span> Table {t.table}
                <span class="muted"> {Math.round((t.risk?.score ?? 0) * 100)}%</span>
              </span>
              <span class="flag-why">{t.risk?.reasons}</span>
              <span class="flag-do">{t.risk?.suggestion}</span>
            </li>
          ))}
        </ul>
      )}
      {cases.length === 0 ? (
        <p class="muted empty">Nothing needs attention.</p>
      ) : (
        <ol class="queue" aria-label="Open cases, most urgent first">
          {cases.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class={`case-row sev-${c.severity}`}
                data-case-id={c.id}
                onClick={() => onOpenCase(c.id)}
              >
                <span class={`sev-pill sev-${c.severity}`}>{severityLabel(c.severity)}</span>
                <span class="case-main">
                  <span class="case-kind">{kindLabel(c.kind)}</span>
                  <span class="case-subject">{subjectLabel(c.subject) || c.guest?.name || ''}</span>
                </span>
                <span class="case-side">
                  <span class="case-age">{ageLabel(now - Date.parse(c.opened_at))}</span>
                  <span class="case-status">{statusLabel(c.status)}</span>
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
