// The app's states (loading, first run, sign-in, signed in) and, once signed in, the data every
// view shares: the cases, the floor and the live link that keeps both current.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from '../api';
import { byUrgency, isOpen } from '../format';
import { LiveLink, type LiveState } from '../live';
import type { Case, Floor as FloorData, User } from '../types';
import { CaseSheet } from './CaseSheet';
import { Floor } from './Floor';
import { LiveBanner } from './LiveBanner';
import { Queue } from './Queue';
import { Setup } from './Setup';
import { SignIn } from './SignIn';

type Phase =
  | { name: 'loading' }
  | { name: 'unreachable'; message: string }
  | { name: 'setup' }
  | { name: 'signin'; notice?: string }
  | { name: 'main'; user: User };

const kFloorRefreshMs = 30_000;

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
  const [signingOut, setSigningOut] = useState(false);
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

  const reloadAll = useCallback(() => {
    void loadCases();
    void loadFloor();
  }, [loadCases, loadFloor]);

  const upsertCase = useCallback((c: Case) => {
    setCases((prev) => {
      const old = prev.get(c.id);
      // Never let an older copy (a slow REST answer) replace a newer one from the feed.
      if (old && Date.parse(old.updated_at) > Date.parse(c.updated_at)) return prev;
      const next = new Map(prev);
      next.set(c.id, c);
      return next;
    });
  }, []);

  useEffect(() => {
    reloadAll();
    const link = new LiveLink({
      onCase: upsertCase,
      onFloor: applyFloor,
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
    return () => {
      link.stop();
      window.clearInterval(poll);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reloadAll, upsertCase, applyFloor, loadFloor]);

  const openCases = useMemo(() => [...cases.values()].filter(isOpen).sort(byUrgency), [cases]);

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

  const canDecide = user.role === 'manager' || user.role === 'admin';

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand" aria-hidden="true">
          Mend
        </span>
        <span class="who">
          {user.name} <span class="muted">({user.role})</span>
        </span>
        <button type="button" class="btn btn-quiet" onClick={() => void signOut()} disabled={signingOut}>
          Sign out
        </button>
      </header>
      <LiveBanner state={live} />
      {loadError && (
        <p class="load-error" role="alert">
          {loadError}{' '}
          <button type="button" class="btn btn-quiet" onClick={reloadAll}>
            Retry
          </button>
        </p>
      )}
      <main class={'panes show-' + tab}>
        <section class="pane pane-floor" aria-labelledby="floor-title">
          <Floor floor={floor} cases={cases} skewMs={skewMs} onOpenCase={setOpenCaseId} />
        </section>
        <section class="pane pane-queue" aria-labelledby="queue-title">
          <Queue cases={openCases} skewMs={skewMs} onOpenCase={setOpenCaseId} />
        </section>
      </main>
      <nav class="tabbar" aria-label="Views">
        <button
          type="button"
          class={'tab' + (tab === 'floor' ? ' tab-active' : '')}
          aria-pressed={tab === 'floor'}
          onClick={() => setTab('floor')}
        >
          Floor
        </button>
        <button
          type="button"
          class={'tab' + (tab === 'queue' ? ' tab-active' : '')}
          aria-pressed={tab === 'queue'}
          onClick={() => setTab('queue')}
        >
          Cases <span class="count">{openCases.length}</span>
        </button>
      </nav>
      {openCaseId && (
        <CaseSheet
          key={openCaseId}
          caseId={openCaseId}
          known={cases.get(openCaseId)}
          canDecide={canDecide}
          skewMs={skewMs}
          onChanged={upsertCase}
          onAuthLost={failed}
          onClose={() => setOpenCaseId(null)}
        />
      )}
    </div>
  );
}
