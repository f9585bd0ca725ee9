// The app's states (loading, first run, sign-in, signed in) and, once signed in, the data every
// view shares: the cases, the floor, the shift budget, alerts, and the live link that keeps them
// current.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from '../api';
import {
  alertIsFor,
  askNotifyPermission,
  notify,
  notifyPermission,
  playChime,
  watchInteraction,
  type NotifyPermission,
} from '../alerts';
import { byUrgency, isOpen, money } from '../format';
import { LiveLink, type LiveState } from '../live';
import type { Alert, BriefingAlert, Budget, Case, Floor as FloorData, User } from '../types';
import { Audit } from './Audit';
import { Briefing } from './Briefing';
import { CaseSheet } from './CaseSheet';
import { Employees } from './Employees';
import { Learning } from './Learning';
import { WeeklyReport } from './WeeklyReport';
import { Floor } from './Floor';
import { GuestSheet } from './GuestSheet';
import { Guests } from './Guests';
import { LiveBanner } from './LiveBanner';
import { Queue } from './Queue';
import { PushControl } from './PushControl';
import { ReportCase } from './ReportCase';
import { Privacy } from './Privacy';
import { Record } from './Record';
import { ReadOnlyBanner } from './ReadOnlyBanner';
import { CloudStatus } from './CloudStatus';
import { Setup } from './Setup';
import { SignIn } from './SignIn';
import { Toasts, type BriefingToastItem, type ToastItem } from './Toasts';

type Phase =
  | { name: 'loading' }
  | { name: 'unreachable'; message: string }
  | { name: 'setup' }
  | { name: 'signin'; notice?: string }
  | { name: 'main'; user: User };

const kFloorRefreshMs = 30_000;
// A burst of case changes (a decision, then its publication) asks for the budget once.
const kBudgetDebounceMs = 400;
// Toasts kept at most (one per case); the oldest go first.
const kMaxToasts = 20;

export function App() {
  const [phase, setPhase] = useState<Phase>({ name: 'loading' });

  const start = useCallback(async () => {
    setPhase({ name: 'loading' });
    try {
      const s = await api.session();
      setCsrfToken(s.csrf_token);
      setPhase({ name: 'main', user: s.user });
      return;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) {
        setPhase({ name: 'unreachable', message: message(e) });
        return;
      }
    }
    try {
      const { needed } = await api.setupNeeded();
      setPhase(needed ? { name: 'setup' } : { name: 'signin' });
    } catch (e) {
      setPhase({ name: 'unreachable', message: message(e) });
    }
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  const signedIn = (user: User, csrf: string) => {
    setCsrfToken(csrf);
    setPhase({ name: 'main', user });
  };

  switch (phase.name) {
    case 'loading':
      return (
        <main class="center-screen" aria-busy="true">
          <p class="muted">Loading…</p>
        </main>
      );
    case 'unreachable':
      return (
        <main class="center-screen">
          <h1>Mend</h1>
          <p role="alert" class="error">
            {phase.message}
          </p>
          <button type="button" class="btn btn-primary" onClick={() => void start()}>
            Try again
          </button>
        </main>
      );
    case 'setup':
      return <Setup onDone={signedIn} onClosed={() => setPhase({ name: 'signin' })} />;
    case 'signin':
      return <SignIn notice={phase.notice} onDone={signedIn} />;
    case 'main':
      return (
        <Workspace
          user={phase.user}
          onSignedOut={(notice) => {
            setCsrfToken(null);
            setPhase({ name: 'signin', notice });
          }}
        />
      );
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function Workspace({ user, onSignedOut }: { user: User; onSignedOut: (notice?: string) => void }) {
  const [cases, setCases] = useState<Map<string, Case>>(new Map());
  const [floor, setFloor] = useState<FloorData | null>(null);
  const [skewMs, setSkewMs] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [openCaseId, setOpenCaseId] = useState<string | null>(null);
  const [tab, setTab] = useState<'floor' | 'queue'>('floor');
  const [view, setView] = useState<'work' | 'audit' | 'employees' | 'learning' | 'report' | 'guests' | 'briefing' | 'privacy' | 'record'>(
    'work',
  );
  const [reporting, setReporting] = useState(false);
  const [openGuestId, setOpenGuestId] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const [budget, setBudget] = useState<Budget | null>(null);
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const [briefingToast, setBriefingToast] = useState<BriefingToastItem | null>(null);
  // Bumped by each live briefing: an open briefing view reads it again.
  const [briefingRefresh, setBriefingRefresh] = useState(0);
  const [permission, setPermission] = useState<NotifyPermission>(() => notifyPermission());
  const audioRef = useRef<HTMLAudioElement>(null);
  const budgetTimer = useRef<number | undefined>(undefined);
  const casesRef = useRef(cases);
  casesRef.current = cases;
  const viewRef = useRef(view);
  viewRef.current = view;
  const briefingToastRef = useRef(briefingToast);
  briefingToastRef.current = briefingToast;
  // Shifts (by their start) whose briefing this person has seen or waved away: a replay after
  // a reconnect does not bring the toast back.
  const seenBriefings = useRef(new Set<string>());
  // The live link outlives renders; handlers reach fresh state through setters only.
  const liveRef = useRef<LiveLink | null>(null);
  const endedRef = useRef(false);
  // Through a ref so the callbacks below stay stable and the live link is made once.
  const signedOutRef = useRef(onSignedOut);
  signedOutRef.current = onSignedOut;

  // Any 401 means the session ended (idle expiry, signed out elsewhere): back to sign-in.
  const failed = useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) {
        if (!endedRef.current) {
          endedRef.current = true;
          signedOutRef.current('Your session ended. Please sign in again.');
        }
        return true;
      }
      return false;
    },
    [],
  );

  const applyFloor = useCallback((f: FloorData) => {
    setFloor(f);
    const serverNow = Date.parse(f.now);
    if (!Number.isNaN(serverNow)) setSkewMs(serverNow - Date.now());
  }, []);

  const loadFloor = useCallback(async () => {
    try {
      applyFloor(await api.floor());
      setLoadError(null);
    } catch (e) {
      if (!failed(e)) setLoadError('Floor: ' + message(e));
    }
  }, [applyFloor, failed]);

  const loadCases = useCallback(async () => {
    try {
      const { cases: list } = await api.cases();
      setCases(new Map(list.map((c) => [c.id, c])));
      setLoadError(null);
    } catch (e) {
      if (!failed(e)) setLoadError('Cases: ' + message(e));
    }
  }, [failed]);

  const loadBudget = useCallback(async () => {
    try {
      setBudget(await api.budget());
    } catch (e) {
      // A mendd without a budget (or a refusal) hides the line rather than alarming anyone.
      if (!failed(e)) setBudget(null);
    }
  }, [failed]);

  const budgetSoon = useCallback(() => {
    window.clearTimeout(budgetTimer.current);
    budgetTimer.current = window.setTimeout(() => void loadBudget(), kBudgetDebounceMs);
  }, [loadBudget]);

  const reloadAll = useCallback(() => {
    void loadCases();
    void loadFloor();
    void loadBudget();
  }, [loadCases, loadFloor, loadBudget]);

  // An alert for this person's role or below: a toast (one per case), the chime, and the
  // browser's notification where allowed.
  const onAlert = useCallback(
    (a: Alert, seq: number) => {
      if (!alertIsFor(a.role, user.role)) return;
      // A late alert (replayed after a reconnect) for a case somebody has taken since.
      const known = casesRef.current.get(a.case);
      if (known && known.status !== 'open' && known.status !== 'awaiting_approval') return;
      setToasts((prev) => {
        const old = prev.find((t) => t.alert.case === a.case);
        const item: ToastItem = { alert: a, seq, count: (old?.count ?? 0) + 1 };
        return [item, ...prev.filter((t) => t.alert.case !== a.case)].slice(0, kMaxToasts);
      });
      playChime(audioRef.current);
      notify(a, () => {
        setView('work');
        setOpenCaseId(a.case);
      });
    },
    [user.role],
  );

  // The Concierge's briefing is ready (it goes to the manager's role and above): one toast, once
  // per shift. Not a case, so no chime: it is about the next shift, not something going wrong.
  const onBriefing = useCallback(
    (b: BriefingAlert, seq: number) => {
      setBriefingRefresh((n) => n + 1);
      if (!alertIsFor(b.role, user.role) || seenBriefings.current.has(b.from)) return;
      if (viewRef.current === 'briefing') {
        seenBriefings.current.add(b.from);
        return;
      }
      setBriefingToast({ alert: b, seq });
    },
    [user.role],
  );

  const dropBriefingToast = useCallback(() => {
    const t = briefingToastRef.current;
    if (t) seenBriefings.current.add(t.alert.from);
    setBriefingToast(null);
  }, []);

  const openBriefing = useCallback(() => {
    dropBriefingToast();
    setOpenCaseId(null);
    setView('briefing');
  }, [dropBriefingToast]);

  const dropToast = useCallback((caseId: string) => {
    setToasts((prev) => (prev.some((t) => t.alert.case === caseId) ? prev.filter((t) => t.alert.case !== caseId) : prev));
  }, []);

  const upsertCase = useCallback((c: Case) => {
    setCases((prev) => {
      const old = prev.get(c.id);
      // Never let an older copy (a slow REST answer) replace a newer one from the feed.
      if (old && Date.parse(old.updated_at) > Date.parse(c.updated_at)) return prev;
      const next = new Map(prev);
      next.set(c.id, c);
      return next;
    });
    // Spending changes with decisions; the live `budget` message says so too, but a tablet
    // whose server sends none still stays right.
    budgetSoon();
  }, [budgetSoon]);

  // Somebody is on it (or it is over): its alert has done its job, on every tablet.
  useEffect(() => {
    setToasts((prev) => {
      const next = prev.filter((t) => {
        const c = cases.get(t.alert.case);
        return !c || c.status === 'open' || c.status === 'awaiting_approval';
      });
      return next.length === prev.length ? prev : next;
    });
  }, [cases]);

  useEffect(() => {
    reloadAll();
    const link = new LiveLink({
      onCase: upsertCase,
      onFloor: applyFloor,
      onAlert,
      onBudget: setBudget,
      onBriefing,
      onResync: reloadAll,
      onState: setLive,
    });
    liveRef.current = link;
    link.start();
    // A safety net under the live feed: a missed floor message costs at most 30 s.
    const poll = window.setInterval(() => void loadFloor(), kFloorRefreshMs);
    // A tablet waking from sleep may have missed anything.
    const onVisible = () => {
      if (document.visibilityState === 'visible') reloadAll();
    };
    document.addEventListener('visibilitychange', onVisible);
    const unwatch = watchInteraction();
    return () => {
      unwatch();
      window.clearTimeout(budgetTimer.current);
      link.stop();
      window.clearInterval(poll);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reloadAll, upsertCase, applyFloor, loadFloor, onAlert, onBriefing]);

  const openCases = useMemo(() => [...cases.values()].filter(isOpen).sort(byUrgency), [cases]);
  const unwritable = useMemo(() => openCases.find((c) => c.kind === 'store.unwritable') ?? null, [openCases]);

  const signOut = async () => {
    setSigningOut(true);
    liveRef.current?.stop();
    try {
      await api.signOut();
    } catch {
      // Signed out locally either way; the cookie expires on its own.
    }
    endedRef.current = true;
    signedOutRef.current();
  };

  const canAudit = user.role === 'manager' || user.role === 'admin';

  const acknowledgeFromToast = useCallback(
    async (caseId: string) => {
      try {
        upsertCase(await api.acknowledge(caseId));
      } catch (e) {
        if (failed(e)) return;
        // Someone else got there first: the alert is answered either way.
        if (!(e instanceof ApiError && e.code === 'conflict')) throw e;
      }
      dropToast(caseId);
    },
    [upsertCase, failed, dropToast],
  );

  const openPrivacy = useCallback(() => {
    setOpenGuestId(null);
    setView('privacy');
  }, []);

  const openCase = useCallback((id: string) => {
    setView('work');
    setOpenCaseId(id);
  }, []);

  // The views a link can open: #/cases/<id>, #/briefing, #/privacy and #/record.
  const openRoute = useCallback(
    (hash: string) => {
      const fromHash = /^#\/cases\/([^/]+)$/.exec(hash);
      if (fromHash) {
        openCase(decodeURIComponent(fromHash[1]));
        return true;
      }
      if (hash === '#/briefing') {
        openBriefing();
        return true;
      }
      if (hash === '#/privacy') {
        setView('privacy');
        return true;
      }
      if (hash === '#/record') {
        setOpenCaseId(null);
        setView('record');
        return true;
      }
      return false;
    },
    [openCase, openBriefing],
  );

  // A tapped push notification: the service worker names the case or the page's url (an open
  // page), or the page opens at /#/cases/<id> or /#/briefing.
  useEffect(() => {
    const fromHash = () => {
      if (!openRoute(window.location.hash)) return;
      history.replaceState(null, '', window.location.pathname + window.location.search);
    };
    fromHash();
    window.addEventListener('hashchange', fromHash);
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: string; case?: string; url?: string } | null;
      if (data?.type === 'mend-open-case' && data.case) openCase(data.case);
      else if (data?.type === 'mend-open-url' && data.url) openRoute(data.url.replace(/^[^#]*/, ''));
    };
    const sw = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
    sw?.addEventListener('message', onMessage);
    return () => {
      window.removeEventListener('hashchange', fromHash);
      sw?.removeEventListener('message', onMessage);
    };
  }, [openCase, openRoute]);

  const enableAlerts = async () => {
    setPermission(await askNotifyPermission());
  };

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand" aria-hidden="true">
          Mend
        </span>
        {budget && typeof budget.remaining === 'number' && typeof budget.budget === 'number' && (
          <span
            class={'budget' + (budget.budget > 0 && budget.remaining < budget.budget * 0.2 ? ' budget-low' : '')}
            data-testid="budget"
            title="Compensation left this shift"
          >
            Budget <strong>{money(budget.remaining, budget.currency)}</strong> of {money(budget.budget, budget.currency)} left
          </span>
        )}
        {canAudit && <CloudStatus />}
        <span class="who">
          {user.name} <span class="muted">({user.role})</span>
        </span>
        <span class="topbar-buttons">
          {permission === 'default' && (
            <button type="button" class="btn btn-quiet" onClick={() => void enableAlerts()}>
              Enable alerts
            </button>
          )}
          {canAudit && <PushControl />}
          <button
            type="button"
            class={'btn' + (view === 'briefing' ? ' btn-primary' : ' btn-quiet')}
            aria-pressed={view === 'briefing'}
            onClick={() => (view === 'briefing' ? setView('work') : openBriefing())}
          >
            Briefing
          </button>
          <button
            type="button"
            class={'btn' + (view === 'guests' ? ' btn-primary' : ' btn-quiet')}
            aria-pressed={view === 'guests'}
            onClick={() => setView(view === 'guests' ? 'work' : 'guests')}
          >
            Guests
          </button>
          <button
            type="button"
            class={'btn' + (view === 'record' ? ' btn-primary' : ' btn-quiet')}
            aria-pressed={view === 'record'}
            onClick={() => setView(view === 'record' ? 'work' : 'record')}
          >
            Record
          </button>
          {canAudit && (
            <button
              type="button"
              class={'btn' + (view === 'learning' || view === 'report' ? ' btn-primary' : ' btn-quiet')}
              aria-pressed={view === 'learning'}
              onClick={() => setView(view === 'learning' ? 'work' : 'learning')}
            >
              Learning
            </button>
          )}
          {canAudit && (
            <button
              type="button"
              class={'btn' + (view === 'employees' ? ' btn-primary' : ' btn-quiet')}
              aria-pressed={view === 'employees'}
              onClick={() => setView(view === 'employees' ? 'work' : 'employees')}
            >
              Employees
            </button>
          )}
          {canAudit && (
            <button
              type="button"
              class={'btn' + (view === 'audit' ? ' btn-primary' : ' btn-quiet')}
              aria-pressed={view === 'audit'}
              onClick={() => setView(view === 'audit' ? 'work' : 'audit')}
            >
              Audit
            </button>
          )}
          <button type="button" class="btn btn-quiet" onClick={() => void signOut()} disabled={signingOut}>
            Sign out
          </button>
        </span>
      </header>
      <LiveBanner state={live} />
      <ReadOnlyBanner unwritable={unwritable} onOpenCase={openCase} />
      {loadError && (
        <p class="load-error" role="alert">
          {loadError}{' '}
          <button type="button" class="btn btn-quiet" onClick={reloadAll}>
            Retry
          </button>
        </p>
      )}
      {view === 'briefing' && (
        <main class="panes panes-single">
          <section class="pane pane-briefing" aria-labelledby="briefing-title">
            <Briefing refresh={briefingRefresh} onOpenGuest={setOpenGuestId} onAuthLost={failed} />
          </section>
        </main>
      )}
      {view === 'guests' && (
        <main class="panes panes-single">
          <section class="pane pane-guests" aria-labelledby="guests-title">
            <Guests onOpenGuest={setOpenGuestId} onAuthLost={failed} onPrivacy={openPrivacy} />
          </section>
        </main>
      )}
      {view === 'privacy' && (
        <main class="panes panes-single">
          <Privacy onClose={() => setView('guests')} />
        </main>
      )}
      {view === 'record' && (
        <main class="panes panes-single">
          <section class="pane pane-record" aria-labelledby="record-title">
            <Record user={user} onOpenCase={openCase} onAuthLost={failed} />
          </section>
        </main>
      )}
      {view === 'audit' && canAudit && (
        <main class="panes panes-single">
          <section class="pane pane-audit" aria-labelledby="audit-title">
            <Audit onAuthLost={failed} />
          </section>
        </main>
      )}
      {view === 'employees' && canAudit && (
        <main class="panes panes-single">
          <section class="pane pane-employees" aria-labelledby="employees-title">
            <Employees canChange={canAudit} currency={budget?.currency} onAuthLost={failed} />
          </section>
        </main>
      )}
      {view === 'learning' && canAudit && (
        <main class="panes panes-single">
          <section class="pane pane-learning" aria-labelledby="learning-title">
            <Learning currency={budget?.currency} onAuthLost={failed} onWeeklyReport={() => setView('report')} />
          </section>
        </main>
      )}
      {view === 'report' && canAudit && (
        <main class="panes panes-single">
          <section class="pane pane-report" aria-labelledby="report-title">
            <WeeklyReport currency={budget?.currency} onAuthLost={failed} onClose={() => setView('learning')} />
          </section>
        </main>
      )}
      <main class={'panes show-' + tab} hidden={view !== 'work'}>
        <section class="pane pane-floor" aria-labelledby="floor-title">
          <Floor floor={floor} cases={cases} skewMs={skewMs} onOpenCase={openCase} onOpenGuest={setOpenGuestId} />
        </section>
        <section class="pane pane-queue" aria-labelledby="queue-title">
          <Queue
            cases={openCases}
            flagged={(floor?.tables ?? []).filter((t) => t.risk?.flagged)}
            skewMs={skewMs} onOpenCase={openCase} onReport={() => setReporting(true)} />
        </section>
      </main>
      <nav class="tabbar" aria-label="Views">
        <button
          type="button"
          class={'tab' + (tab === 'floor' && view === 'work' ? ' tab-active' : '')}
          aria-pressed={tab === 'floor' && view === 'work'}
          onClick={() => {
            setView('work');
            setTab('floor');
          }}
        >
          Floor
        </button>
        <button
          type="button"
          class={'tab' + (tab === 'queue' && view === 'work' ? ' tab-active' : '')}
          aria-pressed={tab === 'queue' && view === 'work'}
          onClick={() => {
            setView('work');
            setTab('queue');
          }}
        >
          Cases <span class="count">{openCases.length}</span>
        </button>
      </nav>
      {openGuestId && (
        <GuestSheet
          key={openGuestId}
          id={openGuestId}
          canEdit={canAudit}
          currency={budget?.currency}
          onAuthLost={failed}
          onClose={() => setOpenGuestId(null)}
          onPrivacy={openPrivacy}
        />
      )}
      {reporting && (
        <ReportCase
          onOpened={(c) => {
            upsertCase(c);
            setReporting(false);
          }}
          onAuthLost={failed}
          onClose={() => setReporting(false)}
        />
      )}
      {openCaseId && (
        <CaseSheet
          key={openCaseId}
          caseId={openCaseId}
          known={cases.get(openCaseId)}
          role={user.role}
          currency={budget?.currency}
          skewMs={skewMs}
          onChanged={upsertCase}
          onAuthLost={failed}
          onClose={() => setOpenCaseId(null)}
        />
      )}
      <Toasts
        toasts={toasts}
        sheetOpen={openCaseId !== null}
        openCaseId={openCaseId}
        onOpen={openCase}
        onAcknowledge={acknowledgeFromToast}
        onDismiss={dropToast}
        briefing={briefingToast}
        onOpenBriefing={openBriefing}
        onDismissBriefing={dropBriefingToast}
      />
      <audio ref={audioRef} src="/sounds/alert.wav" preload="auto" data-testid="alert-sound" />
    </div>
  );
}
