// Open cases, most urgent first (the order comes from App: severity, then the oldest).
import { useNow } from '../clock';
import { ageLabel, kindLabel, severityLabel, statusLabel, subjectLabel } from '../format';
import type { Case } from '../types';

interface Props {
  cases: Case[];
  skewMs: number;
  onOpenCase(id: string): void;
  // Opens the form for a case no signal shows (a complaint, a phone call).
  onReport(): void;
}

export function Queue({ cases, skewMs, onOpenCase, onReport }: Props) {
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
