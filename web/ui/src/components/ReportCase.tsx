// A case a person opens for what no signal shows: a complaint at the table, a phone call, an
// email. mendd plans it like any other case; the new case comes back and joins the queue.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { Case, CaseReport } from '../types';

interface Props {
  onOpened(c: Case): void;
  onAuthLost(e: unknown): boolean;
  onClose(): void;
}

const kKinds: [CaseReport['kind'], string][] = [
  ['complaint', 'Complaint'],
  ['enquiry', 'Enquiry'],
  ['other', 'Something else'],
];
const kChannels: [CaseReport['channel'], string][] = [
  ['in_person', 'In person'],
  ['phone', 'Phone'],
  ['email', 'Email'],
  ['message', 'Message'],
  ['other', 'Other'],
];
const kSeverities: [NonNullable<CaseReport['severity']>, string][] = [
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['high', 'High'],
  ['critical', 'Critical'],
];

export function ReportCase({ onOpened, onAuthLost, onClose }: Props) {
  const [kind, setKind] = useState<CaseReport['kind']>('complaint');
  const [table, setTable] = useState('');
  const [booking, setBooking] = useState('');
  const [guest, setGuest] = useState('');
  const [channel, setChannel] = useState<CaseReport['channel']>('in_person');
  const [what, setWhat] = useState('');
  const [severity, setSeverity] = useState<NonNullable<CaseReport['severity']>>('medium');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: CaseReport = { kind, channel, what, severity };
    if (table.trim()) body.table = table.trim();
    if (booking.trim()) body.booking = booking.trim();
    if (guest.trim()) body.guest = guest.trim();
    try {
      onOpened(await api.report(body));
    } catch (err) {
      // mendd says what is missing in words a person can act on.
      if (!onAuthLost(err)) setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="report-title">
        <div class="sheet-head">
          <h2 id="report-title">New case</h2>
          <button type="button" class="btn btn-quiet" onClick={onClose}>
            Close
          </button>
        </div>
        <form class="action-form" onSubmit={(e) => void submit(e)}>
          <fieldset class="field">
            <legend>What is it?</legend>
            {kKinds.map(([v, label]) => (
              <label key={v} class="choice">
                <input type="radio" name="kind" value={v} checked={kind === v} onChange={() => setKind(v)} /> {label}
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span>Table</span>
            <input name="table" type="text" autocomplete="off" maxLength={128} value={table} onInput={(e) => setTable(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Booking</span>
            <input name="booking" type="text" autocomplete="off" maxLength={128} value={booking} onInput={(e) => setBooking(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Guest</span>
            <input name="guest" type="text" autocomplete="off" maxLength={128} value={guest} onInput={(e) => setGuest(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>How it reached us</span>
            <select name="channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as CaseReport['channel'])}>
              {kChannels.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>What happened</span>
            <textarea name="what" rows={3} maxLength={1000} value={what} onInput={(e) => setWhat(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>How serious</span>
            <select
              name="severity"
              value={severity}
              onChange={(e) => setSeverity(e.currentTarget.value as NonNullable<CaseReport['severity']>)}
            >
              {kSeverities.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Open case
          </button>
        </form>
      </div>
    </div>
  );
}
