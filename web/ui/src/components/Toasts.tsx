// Alerts on the screen: one toast per case (a newer alert for the same case replaces it), with
// the way to open the case and to acknowledge it there and then; above them, the Concierge's
// briefing once it is ready (one at a time: it is about the next shift, not a case).
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { alertStageLabel, alertTitle } from '../alerts';
import { hhmm, severityLabel } from '../format';
import type { Alert, BriefingAlert } from '../types';

export interface ToastItem {
  alert: Alert;
  seq: number;
  count: number; // alerts for this case while the toast was up
}

export interface BriefingToastItem {
  alert: BriefingAlert;
  seq: number;
}

interface Props {
  toasts: ToastItem[];
  // While a case sheet is open on a narrow screen the toasts wait underneath it.
  sheetOpen: boolean;
  openCaseId: string | null;
  onOpen(caseId: string): void;
  onAcknowledge(caseId: string): Promise<void>;
  onDismiss(caseId: string): void;
  briefing: BriefingToastItem | null;
  onOpenBriefing(): void;
  onDismissBriefing(): void;
}

const kShown = 3;

export function Toasts({
  toasts,
  sheetOpen,
  openCaseId,
  onOpen,
  onAcknowledge,
  onDismiss,
  briefing,
  onOpenBriefing,
  onDismissBriefing,
}: Props) {
  const visible = toasts.filter((t) => t.alert.case !== openCaseId);
  const shown = visible.slice(0, kShown);
  const more = visible.length - shown.length;
  return (
    <section
      class={'toasts' + (sheetOpen ? ' toasts-sheet-open' : '')}
      aria-label="Alerts"
      data-testid="toasts"
    >
      {briefing && <BriefingToast item={briefing} onOpen={onOpenBriefing} onDismiss={onDismissBriefing} />}
      {shown.map((t) => (
        <ToastView key={t.alert.case} item={t} onOpen={onOpen} onAcknowledge={onAcknowledge} onDismiss={onDismiss} />
      ))}
      {more > 0 && <p class="toast-more">and {more} more</p>}
    </section>
  );
}

function ToastView({
  item,
  onOpen,
  onAcknowledge,
  onDismiss,
}: {
  item: ToastItem;
  onOpen(caseId: string): void;
  onAcknowledge(caseId: string): Promise<void>;
  onDismiss(caseId: string): void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const a = item.alert;
  const stage = alertStageLabel(a);
  const sev = a.severity ?? 'medium';
  const ack = async () => {
    setBusy(true);
    setError(null);
    try {
      await onAcknowledge(a.case);
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <div
      class={`toast sev-${sev}`}
      role="alert"
      data-testid="toast"
      data-case-id={a.case}
      data-role={a.role}
      data-stage={String(a.stage ?? 0)}
      data-seq={String(item.seq)}
      data-count={String(item.count)}
    >
      <div class="toast-head">
        <span class={`sev-pill sev-${sev}`}>{severityLabel(sev)}</span>
        <strong class="toast-title">{alertTitle(a)}</strong>
      </div>
      {stage && (
        <p class="toast-stage" data-testid="toast-stage">
          {stage}
        </p>
      )}
      {(a.text || a.reason) && <p class="toast-text">{a.text || a.reason}</p>}
      {error && (
        <p class="error toast-error" role="status">
          {error}
        </p>
      )}
      <div class="toast-actions">
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void ack()}>
          Acknowledge
        </button>
        <button type="button" class="btn" onClick={() => onOpen(a.case)}>
          Open case
        </button>
        <button type="button" class="btn btn-quiet" aria-label="Dismiss alert" onClick={() => onDismiss(a.case)}>
          ✕
        </button>
      </div>
    </div>
  );
}

// "Briefing ready: 3 to know for the 16:00 shift", the summary under it; tapping it opens the
// briefing. Not a case: nothing to acknowledge.
function BriefingToast({
  item,
  onOpen,
  onDismiss,
}: {
  item: BriefingToastItem;
  onOpen(): void;
  onDismiss(): void;
}) {
  const a = item.alert;
  return (
    <div
      class="toast toast-briefing"
      role="status"
      data-testid="briefing-toast"
      data-role={a.role}
      data-seq={String(item.seq)}
      data-count={String(a.count)}
    >
      <button type="button" class="toast-open" onClick={onOpen}>
        <strong class="toast-title">
          Briefing ready: {a.count} to know for the {hhmm(a.from)} shift
        </strong>
        {a.text && <span class="toast-text">{a.text}</span>}
      </button>
      <div class="toast-actions">
        <button type="button" class="btn btn-primary" onClick={onOpen}>
          Open briefing
        </button>
        <button type="button" class="btn btn-quiet" aria-label="Dismiss briefing" onClick={onDismiss}>
          ✕
        </button>
      </div>
    </div>
  );
}
