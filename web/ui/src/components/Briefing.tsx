// The Concierge's briefing: the bookings in this shift (or the next) worth knowing before the
// guests arrive, each with why, laid out to print for the team's meeting before the shift.
// Staff see it too: knowing the guest is floor work. From mendd's GET /api/v1/briefing.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { dateLabel, hhmm, kindLabel, tierLabel } from '../format';
import type { Briefing as BriefingData, BriefingEntry } from '../types';
import { DietaryBox } from './DietaryBox';
import { occasionLabel } from './Floor';

interface Props {
  // Bumped when a live briefing arrives, so an open view reads it again.
  refresh: number;
  onOpenGuest(id: string): void;
  onAuthLost(e: unknown): boolean;
}

type Shift = BriefingData['shift'];

// Bookings keep coming in before a shift: a briefing left open on a tablet stays current.
const kRefreshMs = 60_000;

const kWhy: Record<string, string> = {
  vip: 'VIP',
  regular: 'Regular',
  dietary: 'Allergy or diet',
  occasion: 'Celebrating',
  last_visit: 'Last visit went wrong',
};

// "Mon 7 Dec, 16:00–Tue 8 Dec, 06:00" (the end's day only when it differs), in the tablet's
// local time.
function shiftTimes(b: BriefingData): string {
  const endDay = dateLabel(b.to) === dateLabel(b.from) ? '' : `${dateLabel(b.to)}, `;
  return `${dateLabel(b.from)}, ${hhmm(b.from)}–${endDay}${hhmm(b.to)}`;
}

export function Briefing({ refresh, onOpenGuest, onAuthLost }: Props) {
  // Unset until the person picks: the box then chooses the shift being prepared for.
  const [shift, setShift] = useState<Shift | undefined>(undefined);
  const [data, setData] = useState<BriefingData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.briefing(shift).then(
        (b) => {
          if (!live) return;
          setData(b);
          setError(null);
        },
        (e) => {
          if (live && !onAuthLost(e)) setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
        },
      );
    void load();
    const timer = window.setInterval(() => void load(), kRefreshMs);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [shift, refresh, onAuthLost]);

  const pick = (s: Shift) => {
    if (s === (shift ?? data?.shift)) return;
    // The other shift's briefing is not this one's: show none until it comes.
    setData(null);
    setShift(s);
  };
  const shown = shift ?? data?.shift;

  return (
    <article class="briefing" data-testid="briefing" data-shift={data?.shift}>
      <div class="pane-head no-print">
        <div class="briefing-shifts" role="group" aria-label="Which shift">
          <button
            type="button"
            class={'btn' + (shown === 'current' ? ' btn-primary' : ' btn-quiet')}
            aria-pressed={shown === 'current'}
            onClick={() => pick('current')}
          >
            This shift
          </button>
          <button
            type="button"
            class={'btn' + (shown === 'next' ? ' btn-primary' : ' btn-quiet')}
            aria-pressed={shown === 'next'}
            onClick={() => pick('next')}
          >
            Next shift
          </button>
        </div>
        <button type="button" class="btn btn-primary" onClick={() => window.print()} disabled={data === null}>
          Print
        </button>
      </div>
      <h2 id="briefing-title" class="pane-title">
        {data ? `${data.shift === 'next' ? 'Next shift' : 'This shift'}: ${shiftTimes(data)}` : 'Briefing'}
      </h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data === null && !error && <p class="muted">Loading…</p>}
      {data && (
        <>
          <p class="briefing-summary" data-testid="briefing-summary">
            {data.summary}
          </p>
          {data.briefed && (
            <p class="status-pill" data-testid="briefing-briefed">
              Sent to the manager
            </p>
          )}
          {data.entries.length === 0 ? (
            <p class="muted empty" data-testid="briefing-empty">
              Nothing to know for this shift: no regulars, VIPs, allergies, occasions or difficult last visits among its
              bookings.
            </p>
          ) : (
            <ol class="briefing-entries" aria-label="Bookings to know">
              {data.entries.map((e) => (
                <EntryCard key={e.booking} entry={e} onOpenGuest={onOpenGuest} />
              ))}
            </ol>
          )}
        </>
      )}
    </article>
  );
}

function EntryCard({ entry: e, onOpenGuest }: { entry: BriefingEntry; onOpenGuest(id: string): void }) {
  const notable = e.tier === 'regular' || e.tier === 'vip';
  // Older boxes may leave the recovery out; nothing was done then, as far as the tablet knows.
  const recovery = e.last_visit_recovery ?? [];
  const hasLastVisit = e.last_visit !== null || e.last_visit_issues.length > 0;
  const hasFacts = e.occasions.length > 0 || e.preferences.length > 0 || hasLastVisit || e.notes > 0;
  return (
    <li class="briefing-entry" data-testid="briefing-entry" data-booking={e.booking} data-customer={e.customer}>
      <div class="briefing-entry-head">
        <span class="briefing-time" data-testid="briefing-time">
          {hhmm(e.at)}
        </span>
        <button
          type="button"
          class="briefing-name"
          aria-label={`${e.name || e.customer}: open their profile`}
          onClick={() => onOpenGuest(e.customer)}
        >
          {e.name || e.customer}
        </button>
        {e.party > 0 && <span class="muted">party of {e.party}</span>}
        <span class={'tier-badge' + (notable ? ' tier-notable' : '')} data-testid="tier-badge">
          {tierLabel(e.tier, undefined)}
        </span>
      </div>
      {e.why.length > 0 && (
        <ul class="why-chips" aria-label="Why to know">
          {e.why.map((w) => (
            <li key={w} class="why-chip" data-why={w}>
              {kWhy[w] ?? w}
            </li>
          ))}
        </ul>
      )}
      <DietaryBox
        items={e.dietary.map((d) => ({ key: d.text + d.basis, text: d.text, basis: d.basis }))}
        testId="briefing-dietary"
      />
      {hasFacts && (
        <dl class="guest-facts">
          {e.occasions.length > 0 && (
            <>
              <dt>Occasion</dt>
              <dd data-testid="briefing-occasions">{e.occasions.map(occasionLabel).join(', ')}</dd>
            </>
          )}
          {e.preferences.length > 0 && (
            <>
              <dt>Prefers</dt>
              <dd data-testid="briefing-preferences">{e.preferences.join(', ')}</dd>
            </>
          )}
          {hasLastVisit && (
            <>
              <dt>Last visit</dt>
              <dd data-testid="briefing-last-visit">
                {e.last_visit ? dateLabel(e.last_visit) : 'Earlier'}
                {e.last_visit_issues.length > 0 &&
                  ': ' + e.last_visit_issues.map((k) => kindLabel(k).toLowerCase()).join(', ')}
                {recovery.length > 0 && (
                  <ul class="briefing-recovery" data-testid="briefing-recovery">
                    {recovery.map((r, i) => (
                      <li key={i}>{r}</li>
                    ))}
                  </ul>
                )}
              </dd>
            </>
          )}
          {e.notes > 0 && (
            <>
              <dt>Staff notes</dt>
              <dd data-testid="briefing-notes">
                {e.notes} on their profile
              </dd>
            </>
          )}
        </dl>
      )}
    </li>
  );
}
