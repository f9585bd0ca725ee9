// A thin fetch wrapper for mendd's REST API: same-origin cookie, the CSRF header on every
// change, and one error type carrying the API's stable code and its message for a person.
import type {
  AuditEntry,
  Briefing,
  Budget,
  Case,
  CaseDetail,
  CaseReport,
  Employee,
  EmployeeChange,
  EmployeeList,
  DecideRequest,
  Floor,
  FollowUpDecision,
  GuestEdit,
  GuestList,
  GuestProfile,
  GuestRewards,
  RiskModel,
  LedgerEntry,
  MyLedger,
  TeamLedger,
  Insights,
  InsightsView,
  NoteRequest,
  PushKey,
  PushSubscriptionInfo,
  PushSubscriptionRequest,
  Readiness,
  ResolveRequest,
  Session,
  SuggestionDecision,
  SuggestionRecord,
  WeeklyReport,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    // Seconds, from Retry-After on 429 locked_out / busy.
    readonly retryAfter: number | null = null,
    readonly retryAt: string | null = null,
    // With 409 stale: the case as it is now (error.case).
    readonly currentCase: CaseDetail | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Held in memory only: a page load asks GET /api/v1/session again rather than keeping a
// secret in storage that any script on the origin could read.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Mend cannot be reached. Check the Wi-Fi and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): fall through to a generic message.
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; retry_at?: string; case?: CaseDetail } } | null)
      ?.error;
    const retryHeader = res.headers.get('Retry-After');
    const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
    const retryAt =
      err?.retry_at ?? (data as { retry_at?: string } | null)?.retry_at ?? null;
    throw new ApiError(
      res.status,
      err?.code ?? 'http_' + res.status,
      err?.message ?? `The server answered ${res.status}.`,
      retryAfter,
      retryAt,
      err?.case ?? null,
    );
  }
  return data as T;
}

export const api = {
  session: () => request<Session>('GET', '/api/v1/session'),
  signIn: (name: string, pin: string) => request<Session>('POST', '/api/v1/session', { name, pin }),
  signOut: () => request<void>('DELETE', '/api/v1/session'),
  setupNeeded: () => request<{ needed: boolean }>('GET', '/api/v1/setup'),
  setup: (code: string, name: string, pin: string) =>
    request<Session>('POST', '/api/v1/setup', { code, name, pin }),
  cases: () => request<{ cases: Case[] }>('GET', '/api/v1/cases?open=true'),
  case: (id: string) => request<CaseDetail>('GET', '/api/v1/cases/' + encodeURIComponent(id)),
  floor: () => request<Floor>('GET', '/api/v1/floor'),
  acknowledge: (id: string, note?: string) =>
    request<Case>('POST', caseAction(id, 'acknowledge'), note ? { note } : {}),
  // Deciding, marking actioned and resolving commit to a recovery: each carries the case
  // version the person saw (If-Match, as the ETag has it), and a case changed since is refused
  // (409 stale, with the case as it is now).
  decide: (
    id: string,
    version: number,
    decision: 'approve' | 'edit' | 'reject',
    reason: string,
    recommendation?: { action: string; text: string },
  ) =>
    request<Case>(
      'POST',
      caseAction(id, 'decide'),
      { decision, reason, ...(recommendation ? { recommendation } : {}) } satisfies DecideRequest,
      ifMatch(version),
    ),
  action: (id: string, version: number, note: string) =>
    request<Case>('POST', caseAction(id, 'action'), { note } satisfies NoteRequest, ifMatch(version)),
  resolve: (
    id: string,
    version: number,
    root_cause: ResolveRequest['root_cause'],
    note: string,
    follow_up?: { after_hours: number; message: string },
  ) =>
    request<Case>(
      'POST',
      caseAction(id, 'resolve'),
      { root_cause, note, ...(follow_up ? { follow_up } : {}) } satisfies ResolveRequest,
      ifMatch(version),
    ),
  // A due follow-up: sent to the guest (with the message as the person left it) or skipped.
  followUp: (id: string, version: number, decision: 'send' | 'skip', reason: string, message?: string) =>
    request<Case>(
      'POST',
      caseAction(id, 'follow-up'),
      { decision, reason, ...(message ? { message } : {}) } satisfies FollowUpDecision,
      ifMatch(version),
    ),
  users: () =>
    request<{ users: { id: number; name: string; role: string; disabled?: boolean }[] }>('GET', '/api/v1/users'),
  budget: () => request<Budget>('GET', '/api/v1/budget'),
  // 503 while not ready still carries the body; the cloud link's state is in it either way.
  readiness: async (): Promise<Readiness> => (await fetch('/readyz', { credentials: 'same-origin' })).json() as Promise<Readiness>,
  audit: (limit = 50) => request<{ entries: AuditEntry[] }>('GET', '/api/v1/audit?limit=' + limit),
  // A case for what no signal shows (a complaint at the table, a phone call).
  report: (body: CaseReport) => request<CaseDetail>('POST', '/api/v1/cases', body),
  employees: (days = 30) => request<EmployeeList>('GET', '/api/v1/employees?days=' + days),
  changeEmployee: (id: string, change: EmployeeChange) =>
    request<Employee>('PATCH', '/api/v1/employees/' + encodeURIComponent(id), change),
  // The learning view: `view` is GET /api/v1/insights's parameters, sent back with a decision.
  riskModel: () => request<RiskModel>('GET', '/api/v1/risk/model'),
  insights: (view: InsightsView) => request<Insights>('GET', '/api/v1/insights?' + viewQuery(view)),
  decideSuggestion: (body: SuggestionDecision) =>
    request<SuggestionRecord>('POST', '/api/v1/insights/suggestions', body),
  finishTask: (task: number) => request<SuggestionRecord>('PATCH', '/api/v1/tasks/' + task, { done: true }),
  weeklyReport: (week?: string) =>
    request<WeeklyReport>('GET', '/api/v1/reports/weekly' + (week ? '?week=' + encodeURIComponent(week) : '')),
  guests: (q: string) => request<GuestList>('GET', '/api/v1/guests?q=' + encodeURIComponent(q)),
  guest: (id: string) => request<GuestProfile>('GET', '/api/v1/guests/' + encodeURIComponent(id)),
  noteGuest: (id: string, text: string) =>
    request<GuestProfile>('POST', '/api/v1/guests/' + encodeURIComponent(id) + '/notes', { text }),
  editGuest: (id: string, edit: GuestEdit) =>
    request<GuestProfile>('PATCH', '/api/v1/guests/' + encodeURIComponent(id), edit),
  // The Concierge's briefing; without `shift` the box picks the one the team is preparing for.
  briefing: (shift?: Briefing['shift']) =>
    request<Briefing>('GET', '/api/v1/briefing' + (shift ? '?shift=' + shift : '')),
  guestRewards: (id: string) =>
    request<GuestRewards>('GET', '/api/v1/guests/' + encodeURIComponent(id) + '/rewards'),
  // The contribution ledger: one's own record, the team's (managers), and a manager's acts.
  myLedger: () => request<MyLedger>('GET', '/api/v1/ledger/me'),
  teamLedger: (period: TeamLedger['period']) => request<TeamLedger>('GET', '/api/v1/ledger/team?period=' + period),
  countersign: (seq: number) => request<LedgerEntry>('POST', '/api/v1/ledger/' + seq + '/countersign', {}),
  correctEntry: (seq: number, reason: string) =>
    request<LedgerEntry>('POST', '/api/v1/ledger/' + seq + '/correct', { reason }),
  confirmTraining: (person: string, what: string) =>
    request<LedgerEntry>('POST', '/api/v1/ledger/training', { person, what }),
  pushKey: () => request<PushKey>('GET', '/api/v1/push/key'),
  addPushSubscription: (sub: PushSubscriptionRequest) =>
    request<PushSubscriptionInfo>('POST', '/api/v1/push/subscriptions', sub),
  deletePushSubscription: (endpoint: string) =>
    request<void>('DELETE', '/api/v1/push/subscriptions?endpoint=' + encodeURIComponent(endpoint)),
};

function viewQuery(view: InsightsView): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(view)) if (v) q.set(k, v);
  return q.toString();
}

function ifMatch(version: number): Record<string, string> {
  return { 'If-Match': `"${version}"` };
}

function caseAction(id: string, verb: string): string {
  return '/api/v1/cases/' + encodeURIComponent(id) + '/' + verb;
}
