// The shapes mendd sends (docs/api.md, docs/signals.md). Fields the UI does not use are left
// out; fields that may be missing on older cases are optional.

export type Role = 'staff' | 'manager' | 'admin' | 'integration';

export interface User {
  id: number;
  name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type CaseStatus =
  | 'open'
  | 'acknowledged'
  | 'awaiting_approval'
  | 'actioned'
  | 'follow_up'
  | 'resolved'
  | 'closed';

export interface Recommendation {
  action: string;
  text: string;
  needs_approval_by?: string | null;
}

export interface Actor {
  id: string | number;
  role: string;
}

export interface Evidence {
  event: string;
  type: string;
  ts: string;
  note?: string;
}

export interface TimelineEntry {
  at: string;
  what: string;
  detail?: string;
}

export interface Case {
  id: string;
  kind: string;
  severity: Severity;
  status: CaseStatus;
  subject: Record<string, string>;
  opened_at: string;
  updated_at: string;
  reason?: string;
  explanation?: string;
  evidence?: Evidence[];
  recommendation?: Recommendation;
  history?: { from: string; to: string; by: Actor; at: string; note?: string }[];
  decisions?: { decision: string; by: Actor; at: string; reason: string }[];
  resolution?: { root_cause: string; note: string; by: Actor; at: string };
  // Only on GET /api/v1/cases/{id}.
  timeline?: TimelineEntry[];
  // The recovery policy's view (docs/api.md "Recovery policy").
  guest?: Guest;
  actions?: PlanAction[];
  compensation?: number;
  currency?: string;
  automatic?: boolean;
  vouchers?: Voucher[];
  satisfaction?: number | null;
  follow_up?: { due: string; message: string } | null;
}

export type GuestTier = 'new' | 'returning' | 'regular' | 'vip';

// What the guest book knew when the case opened. Older cases (and the detail endpoint before
// the policy) may carry other fields, so everything is optional.
export interface Guest {
  id?: string;
  name?: string;
  tier?: GuestTier | string;
  visits?: number;
  [key: string]: unknown;
}

export interface PlanAction {
  type: string;
  value?: number;
  text?: string;
}

export interface Voucher {
  id: string;
  value?: number;
  redeemed_at?: string | null;
  redeemed_check?: string | null;
}

export interface Budget {
  shift_start?: string;
  shift_end?: string;
  budget?: number;
  spent?: number;
  remaining?: number;
  auto_budget?: number;
  auto_spent?: number;
  limits?: Record<string, number>;
  currency?: string;
}

// A live `alert`: a person of `role` (or above) must hear of case `case`.
export interface Alert {
  case: string;
  role: string;
  stage?: number;
  repeat?: boolean;
  severity?: Severity | string;
  kind?: string;
  text?: string;
  reason?: string;
  at?: string;
  subject?: Record<string, string>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { id: string | number; role: string } | string;
  action: string;
  subject: string;
  detail?: unknown;
}

export type TableState = 'seated' | 'ordered' | 'course_fired' | 'bill_asked';

export interface Timer {
  kind: string;
  course?: string;
  started: string;
  threshold_s: number;
  deadline?: string;
  breached?: boolean;
}

export interface FloorTable {
  table: string;
  area?: string;
  state: TableState | string;
  seated_at?: string;
  party?: number | null;
  booking?: string | null;
  timers?: Timer[];
  cases?: string[];
}

export interface Floor {
  now: string;
  tables: FloorTable[];
}
