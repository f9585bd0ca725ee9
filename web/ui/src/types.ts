// The shapes mendd sends, named for the UI. Every one comes from web/openapi.json through
// src/generated/openapi.ts (written by scripts/build-ui with openapi-typescript), so a change
// of the API that the UI does not follow fails the type check.
import type { components } from './generated/openapi';

type Schemas = components['schemas'];

export type Role = Schemas['ActorRole'];
export type User = Schemas['SessionUser'];
export type Session = Schemas['Session'];
export type Severity = Schemas['Severity'];
export type CaseStatus = Schemas['CaseStatus'];
export type Recommendation = Schemas['Recommendation'];
export type Actor = Schemas['Actor'];
export type Evidence = Schemas['Evidence'];
export type TimelineEntry = Schemas['TimelineEntry'];
// The list's case and the detail's (with its timeline) are one type here: the sheet shows a
// case from the list until its detail arrives.
export type Case = Schemas['Case'] & { timeline?: TimelineEntry[] };
export type CaseDetail = Schemas['CaseDetail'];
export type Guest = Schemas['GuestSummary'];
export type GuestTier = Guest['tier'];
export type PlanAction = Schemas['CaseAction'];
export type Voucher = Schemas['Voucher'];
export type GuestMessage = Schemas['GuestMessage'];
export type Budget = Schemas['Budget'];
export type Readiness = Schemas['Readiness'];
export type CloudState = Schemas['CloudState'];
// A live `alert`'s data: a person of `role` (or above) must hear of case `case`.
export type Alert = NonNullable<Schemas['LiveAlert']['data']>;
export type AuditEntry = Schemas['AuditEntry'];
export type TableState = Schemas['Table']['state'];
export type Timer = Schemas['Timer'];
export type FloorTable = Schemas['Table'];
export type Floor = Schemas['Floor'];
export type ApiError = Schemas['Error'];
export type NoteRequest = Schemas['NoteRequest'];
export type DecideRequest = Schemas['DecideRequest'];
export type ResolveRequest = Schemas['ResolveRequest'];
export type FollowUpDecision = Schemas['FollowUpDecision'];
export type RootCause = Schemas['RootCause'];
export type PushKey = Schemas['PushKey'];
// The box's record of a subscription (the browser's own type is PushSubscription).
export type PushSubscriptionInfo = Schemas['PushSubscription'];
export type PushSubscriptionRequest = Schemas['PushSubscriptionRequest'];
export type Employee = Schemas['Employee'];
export type EmployeeList = Schemas['EmployeeList'];
export type EmployeeChange = Schemas['EmployeeChange'];
export type EmployeeLimit = Schemas['EmployeeLimit'];
export type Insights = Schemas['Insights'];
export type Measures = Schemas['Measures'];
export type Suggestion = Schemas['Suggestion'];
export type SuggestionRecord = Schemas['SuggestionRecord'];
export type SuggestionDecision = Schemas['SuggestionDecision'];
export type WeeklyReport = Schemas['WeeklyReport'];
export type InsightsView = NonNullable<SuggestionDecision['view']>;
export type TrackRecord = Schemas['TrackRecord'];
export type CaseReport = Schemas['CaseReport'];
export type GuestProfile = Schemas['GuestProfile'];
export type GuestList = Schemas['GuestList'];
export type GuestEdit = Schemas['GuestEdit'];
export type TableGuest = NonNullable<FloorTable['guest']>;
export type Briefing = Schemas['Briefing'];
export type BriefingEntry = Schemas['BriefingEntry'];
export type LedgerEntry = Schemas['LedgerEntry'];
export type MyLedger = Schemas['MyLedger'];
export type TeamLedger = Schemas['TeamLedger'];
export type GuestRewards = Schemas['GuestRewards'];
export type RiskModel = Schemas['RiskModel'];
export type TableRisk = NonNullable<FloorTable['risk']>;
// A live `briefing`'s data: the next shift's briefing has gone to `role`.
export type BriefingAlert = Schemas['BriefingAlert'];
