// Plain words for the codes mendd uses, and the small time arithmetic the views share.
import type { Case, CaseStatus, FloorTable, GuestMessage, Severity, Timer } from './types';

const kKinds: Record<string, string> = {
  'table.no_order': 'Waiting to order',
  'course.slow': 'Course is slow',
  'bill.slow': 'Waiting for the bill',
  'call.unanswered': 'Call button not answered',
  'arrival.unseated': 'Guests waiting to be seated',
  'enquiry.unanswered': 'Enquiry not answered',
  'temperature.out_of_range': 'Fridge or freezer out of range',
  'device.offline': 'Sensor offline',
  'review.negative': 'Bad review',
  'voids.repeated': 'Several items voided',
  'pattern.recurring': 'Keeps happening',
  'store.unwritable': 'Mend cannot save: disk full',
  'store.low_space': 'Mend is running out of disk space',
  'cloud.outbox_full': 'Cloud unreachable: oldest messages given up',
  'guest.complaint': 'Complaint',
  'guest.enquiry': 'Enquiry',
  'guest.other': 'Reported',
  'guest.lapsed': 'Regular stopped coming',
  'source.silent': 'Till, booking or feedback system silent: its cases held',
  'source.clock_skew': "A system's clock is wrong: times corrected",
};

export function kindLabel(kind: string): string {
  return kKinds[kind] ?? kind.replace(/[._]/g, ' ');
}

// The digital employees by their ids (case JSON's `employee`).
const kEmployees: Record<string, string> = {
  host: 'Host',
  floor: 'Floor',
  kitchen_safety: 'Kitchen safety',
  inbox: 'Inbox',
  reputation: 'Reputation',
  analyst: 'Analyst',
  caretaker: 'Caretaker',
  winback: 'Win-back',
  concierge: 'Concierge',
};

export function employeeLabel(id: string): string {
  return kEmployees[id] ?? id;
}

// The timeline names evidence by its event type; say it as staff would.
const kEvents: Record<string, string> = {
  'order.opened': 'Order taken',
  'items.fired': 'Course fired',
  'items.served': 'Course served',
  'check.requested': 'Bill asked for',
  'check.paid': 'Bill paid',
  'item.voided': 'Item voided',
  'voucher.redeemed': 'Voucher used',
  'booking.created': 'Booking made',
  'booking.updated': 'Booking changed',
  'booking.cancelled': 'Booking cancelled',
  'guest.arrived': 'Guests arrived',
  'guest.seated': 'Guests seated',
  'table.cleared': 'Table cleared',
  'enquiry.received': 'Enquiry received',
  'enquiry.answered': 'Enquiry answered',
  'review.received': 'Review received',
  'survey.answered': 'Survey answered',
  temperature: 'Temperature reading',
  callbutton: 'Call button',
  occupancy: 'Table sensor',
  'guest.lapsed': 'Stopped coming',
  'source.last': 'Last heard from it',
  'source.back': 'Sending again',
  'source.clock': 'Clock right again',
};

export function eventLabel(what: string): string {
  if (kEvents[what]) return kEvents[what];
  if (what in kStatuses) return statusLabel(what);
  return what;
}

const kStates: Record<string, string> = {
  seated: 'Seated',
  ordered: 'Ordered',
  course_fired: 'Course fired',
  bill_asked: 'Bill asked',
};

export function stateLabel(state: string): string {
  return kStates[state] ?? state.replace(/_/g, ' ');
}

const kStatuses: Record<CaseStatus, string> = {
  open: 'New',
  acknowledged: 'Acknowledged',
  awaiting_approval: 'Needs approval',
  actioned: 'Actioned',
  follow_up: 'Follow up',
  resolved: 'Resolved',
  closed: 'Closed',
};

export function statusLabel(s: CaseStatus | string): string {
  return kStatuses[s as CaseStatus] ?? s;
}

export const kSeverityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function severityLabel(s: Severity | string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isOpen(c: Case): boolean {
  return c.status !== 'resolved' && c.status !== 'closed';
}

// Most urgent first: severity, then the oldest.
export function byUrgency(a: Case, b: Case): number {
  const s = (kSeverityRank[a.severity] ?? 9) - (kSeverityRank[b.severity] ?? 9);
  if (s !== 0) return s;
  return (Date.parse(a.opened_at) || 0) - (Date.parse(b.opened_at) || 0);
}

export function subjectLabel(subject: Record<string, string> | undefined): string {
  if (!subject) return '';
  const parts: string[] = [];
  if (subject.table) parts.push('Table ' + subject.table);
  if (subject.walk_in) parts.push('Walk-in ' + subject.walk_in);
  if (subject.course) parts.push(subject.course);
  if (subject.check) parts.push('check ' + subject.check);
  if (subject.booking) parts.push('booking ' + subject.booking);
  if (subject.customer && subject.channel) parts.push(subject.customer);
  if (subject.device) parts.push(subject.device);
  if (subject.enquiry) parts.push('enquiry ' + subject.enquiry);
  if (subject.review) parts.push('review ' + subject.review);
  if (subject.kind) parts.push(kindLabel(subject.kind));
  if (subject.area) parts.push(subject.area);
  return parts.join(' · ');
}

export function mmss(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function ageLabel(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60000));
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return `${h} h ${min % 60} min`;
}

export function clockTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// "19:30": a booking's or a shift's local time, where seconds would only be noise.
export function hhmm(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export type TimerLevel = 'calm' | 'amber' | 'late';

export function timerLevel(elapsedMs: number, t: Timer): TimerLevel {
  if (t.breached) return 'late';
  if (!(t.threshold_s > 0)) return 'calm';
  const f = elapsedMs / (t.threshold_s * 1000);
  if (f >= 1) return 'late';
  if (f >= 0.75) return 'amber';
  return 'calm';
}

// The timer that matters most on a table: the one nearest to (or furthest past) its limit.
export function runningTimer(table: FloorTable, now: number): Timer | null {
  let best: Timer | null = null;
  let bestFraction = -Infinity;
  for (const t of table.timers ?? []) {
    const f = (now - Date.parse(t.started)) / (Math.max(1, t.threshold_s) * 1000);
    if (f > bestFraction) {
      best = t;
      bestFraction = f;
    }
  }
  return best;
}

export function timerLabel(t: Timer): string {
  switch (t.kind) {
    case 'table.no_order':
      return 'to order';
    case 'course.slow':
      return t.course ? `${t.course} course` : 'course';
    case 'bill.slow':
      return 'for the bill';
    case 'call.unanswered':
      return 'call button';
    default:
      return kindLabel(t.kind).toLowerCase();
  }
}

// ---- recovery policy ---------------------------------------------------------------------

// People's roles in order of authority; anything else (integration, unknown) ranks below staff.
const kRoleRank: Record<string, number> = { staff: 1, manager: 2, admin: 3 };

export function roleRank(role: string | null | undefined): number {
  return (role && kRoleRank[role]) || 0;
}

// Whether `role` is the same as or above `needed` (staff < manager < admin).
export function roleCovers(role: string, needed: string | null | undefined): boolean {
  if (!needed) return true;
  return roleRank(role) >= roleRank(needed) && roleRank(role) > 0;
}

const kRoleWords: Record<string, string> = { staff: 'staff', manager: 'a manager', admin: 'an admin' };

export function roleWithArticle(role: string): string {
  return kRoleWords[role] ?? role;
}

export function tierLabel(tier: string | undefined, visits: number | undefined): string {
  switch (tier) {
    case 'returning':
      return typeof visits === 'number' && visits > 0
        ? `Returning guest, ${visits} ${visits === 1 ? 'visit' : 'visits'}`
        : 'Returning guest';
    case 'regular':
      return 'Regular';
    case 'vip':
      return 'VIP';
    case 'new':
    case undefined:
    case '':
      return 'New guest';
    default:
      return tier;
  }
}

const kActionTypes: Record<string, string> = {
  apology: 'Apologise',
  manager_visit: 'Manager visits',
  comp_item: 'On the house',
  discount: 'Discount',
  voucher: 'Voucher',
  follow_up_message: 'Message',
  chase_kitchen: 'Chase the kitchen',
  send_runner: 'Send a runner',
  call_maintenance: 'Call maintenance',
  fix_cause: 'Fix the cause',
};

export function actionTypeLabel(type: string): string {
  return kActionTypes[type] ?? type.replace(/_/g, ' ');
}

// An amount in the venue's money: the currency's own symbol when mendd names one, else the
// bare number (the venue knows its currency).
export function money(value: number | undefined | null, currency?: string | null): string {
  const v = typeof value === 'number' && Number.isFinite(value) ? value : 0;
  const digits = Number.isInteger(v) ? 0 : 2;
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: 2,
      }).format(v);
    } catch {
      // An unknown code: fall through to the plain number.
    }
  }
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: 2 }).format(v);
}

export function dateTimeLabel(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

// "Sat 7 Nov": a day in a period, where the time of day does not matter.
export function dateLabel(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
}

const kMessageTypes: Record<string, string> = { follow_up: 'Follow-up', voucher: 'Voucher' };
const kMessageStatuses: Record<string, string> = {
  sent: 'sent, no receipt yet',
  delivered: 'delivered',
  failed: 'not delivered',
};

// "Follow-up: delivered 14:02", "Voucher: not delivered (number unknown)".
export function guestMessageLabel(m: GuestMessage): string {
  const what = `${kMessageTypes[m.type] ?? m.type}: ${kMessageStatuses[m.status] ?? m.status}`;
  const when = m.receipt_at ? ` ${clockTime(m.receipt_at)}` : '';
  return what + when + (m.detail ? ` (${m.detail})` : '');
}
