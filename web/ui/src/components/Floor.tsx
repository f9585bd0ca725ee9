// Every table on the floor as a tile: its state, party, and the wait that matters most, timed
// on the tablet so it ticks between server updates.
import { useNow } from '../clock';
import {
  byUrgency,
  isOpen,
  kindLabel,
  mmss,
  runningTimer,
  stateLabel,
  tierLabel,
  timerLabel,
  timerLevel,
  type TimerLevel,
} from '../format';
import type { Case, Floor as FloorData, FloorTable, TableGuest, TableRisk } from '../types';

interface Props {
  floor: FloorData | null;
  cases: Map<string, Case>;
  skewMs: number;
  onOpenCase(id: string): void;
  onOpenGuest(id: string): void;
}

// A word and a shape as well as a colour, so the level reads without colour vision.
const kLevelCue: Record<TimerLevel, { icon: string; word: string }> = {
  calm: { icon: '●', word: 'On time' },
  amber: { icon: '▲', word: 'Nearly late' },
  late: { icon: '■', word: 'Late' },
};

export function Floor({ floor, cases, skewMs, onOpenCase, onOpenGuest }: Props) {
  const now = useNow(skewMs);
  const tables = floor?.tables ?? [];
  return (
    <>
      <h2 id="floor-title" class="pane-title">
        Floor
      </h2>
      {floor === null ? (
        <p class="muted">Loading the floor…</p>
      ) : tables.length === 0 ? (
        <p class="muted empty">No tables are seated.</p>
      ) : (
        <ul class="tiles" aria-label="Tables">
          {tables.map((t) => (
            <li key={t.table}>
              <Tile table={t} openCases={casesFor(t, cases)} now={now} onOpenCase={onOpenCase} />
              {t.guest && <GuestStrip table={t.table} guest={t.guest} onOpen={() => onOpenGuest(t.guest!.id)} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

// The floor lists a table's case ids; a case that reached us on the feed before the next floor
// message is matched by its table too, so the badge does not lag.
// Stands in for a case the floor names before its copy arrives: open, medium, nothing else known.
function unknownCase(id: string): Case {
  return {
    id,
    kind: 'table.no_order',
    employee: 'floor',
    severity: 'medium',
    status: 'open',
    subject: {},
    opened_at: '',
    updated_at: '',
    reason: '',
    evidence: [],
    recommendation: { action: '', text: '', needs_approval_by: null },
    history: [],
    version: 0,
  };
}

function casesFor(t: FloorTable, cases: Map<string, Case>): Case[] {
  const out = new Map<string, Case>();
  for (const id of t.cases ?? []) {
    const c = cases.get(id);
    if (!c) {
      out.set(id, unknownCase(id));
    } else if (isOpen(c)) {
      out.set(id, c);
    }
  }
  for (const c of cases.values()) {
    if (c.subject?.table === t.table && isOpen(c)) out.set(c.id, c);
  }
  return [...out.values()].sort(byUrgency);
}

function Tile({
  table,
  openCases,
  now,
  onOpenCase,
}: {
  table: FloorTable;
  openCases: Case[];
  now: number;
  onOpenCase(id: string): void;
}) {
  const timer = runningTimer(table, now);
  const elapsed = timer ? now - Date.parse(timer.started) : 0;
  const level: TimerLevel = timer ? timerLevel(elapsed, timer) : 'calm';
  const cue = kLevelCue[level];
  const hasCase = openCases.length > 0;
  const body = (
    <>
      <span class="tile-head">
        <span class="tile-name">{table.table}</span>
        {hasCase && (
          <span class="badge" data-testid="case-badge">
            {openCases.length === 1 ? 'Case' : `${openCases.length} cases`}
          </span>
        )}
      </span>
      <span class="tile-state">{stateLabel(table.state)}</span>
      {typeof table.party === 'number' && table.party > 0 && (
        <span class="tile-party">
          Party of {table.party}
        </span>
      )}
      {table.risk && <RiskBar risk={table.risk} />}
      {timer ? (
        <span class="tile-timer" data-testid="timer">
          <span class="timer-clock">{mmss(elapsed)}</span>
          <span class="timer-what">{timerLabel(timer)}</span>
          <span class="timer-cue">
            <span aria-hidden="true">{cue.icon}</span> {cue.word}
          </span>
        </span>
      ) : (
        <span class="tile-timer tile-timer-none muted">No wait running</span>
      )}
    </>
  );
  const cls = `tile level-${level}` + (hasCase ? ' has-case' : '');
  if (hasCase) {
    return (
      <button
        type="button"
        class={cls}
        data-table={table.table}
        data-level={level}
        aria-label={`Table ${table.table}, ${stateLabel(table.state)}, ${cue.word}${
          timer ? ' ' + mmss(elapsed) : ''
        }: open its case`}
        onClick={() => onOpenCase(openCases[0].id)}
      >
        {body}
      </button>
    );
  }
  return (
    <div class={cls} data-table={table.table} data-level={level}>
      {body}
    </div>
  );
}

// The table's risk under the at-risk model: a small bar, and "At risk" with the reasons once
// the Floor employee flags it (a heads-up, not a case).
function RiskBar({ risk }: { risk: TableRisk }) {
  const pct = Math.round(risk.score * 100);
  return (
    <span
      class={'tile-risk' + (risk.flagged ? ' risk-flagged' : '')}
      data-testid="risk-bar"
      data-flagged={risk.flagged ? 'true' : 'false'}
      title={risk.reasons}
    >
      <span class="risk-track" aria-hidden="true">
        <span class="risk-fill" style={{ width: `${pct}%` }} />
      </span>
      <span class="risk-word">{risk.flagged ? `At risk ${pct}%` : `Risk ${pct}%`}</span>
    </span>
  );
}

// Who sits at the table, under its tile: the server knows before walking over. Its own button
// (a tile with a case is one already), so tapping it opens the guest's profile.
function GuestStrip({ table, guest, onOpen }: { table: string; guest: TableGuest; onOpen(): void }) {
  const notable = guest.tier === 'regular' || guest.tier === 'vip';
  return (
    <button
      type="button"
      class="guest-strip"
      data-guest-table={table}
      aria-label={`${guest.name || 'Guest'} at ${table}: open their profile`}
      onClick={onOpen}
    >
      <span class="guest-strip-name">{guest.name || 'Guest'}</span>
      <span class={'tier-badge' + (notable ? ' tier-notable' : '')} data-testid="tier-badge">
        {tierLabel(guest.tier, undefined)}
      </span>
      {guest.dietary.length > 0 && (
        <span class="allergy-warning" data-testid="allergy-warning">
          <span aria-hidden="true">⚠</span> {guest.dietary.join('; ')}
        </span>
      )}
      {guest.occasions.length > 0 && (
        <span class="occasion" data-testid="occasion">
          {guest.occasions.map(occasionLabel).join(', ')}
        </span>
      )}
      {guest.last_visit_issues.length > 0 && (
        <span class="last-issue" data-testid="last-visit-issue">
          Last visit: {guest.last_visit_issues.map((k) => kindLabel(k).toLowerCase()).join(', ')}
        </span>
      )}
    </button>
  );
}

export function occasionLabel(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}
