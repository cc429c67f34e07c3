// The values of every status (and kind) column of the city-services tables. Each array is the
// one source for its TypeScript type and its zod schemas; statuses.test.ts holds the SQL CHECK
// constraints of the migrations to the same sets, so a value added on one side only fails a test.

export const PAYMENT_STATUSES = [
  'requires_confirmation',
  'succeeded',
  'failed',
  'refunded',
  'canceled',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What a payment pays for: each kind names a table of payable things. */
export const PAYMENT_KINDS = ['appointment', 'ticket', 'electricity_bill', 'traffic_fine'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/** Each kind as Chinese-speaking citizens name it: the dashboard's words and the notifications'. */
export const PAYMENT_KIND_ZH = {
  appointment: '挂号',
  ticket: '车票',
  electricity_bill: '电费账单',
  traffic_fine: '交通罚款',
} as const satisfies Record<PaymentKind, string>;

export const APPOINTMENT_STATUSES = ['booked', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Transport tickets: a hold becomes paid, or ends cancelled or expired. */
export const TICKET_STATUSES = ['held', 'paid', 'cancelled', 'expired'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Electricity bills and traffic fines. */
export const BILL_STATUSES = ['unpaid', 'paid'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

export const INCIDENT_STATUSES = [
  'submitted',
  'acknowledged',
  'in_progress',
  'resolved',
  'rejected',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Each status as the Chinese dashboard and notifications show it (the English differ in case). */
export const INCIDENT_STATUS_ZH = {
  submitted: '已提交',
  acknowledged: '已受理',
  in_progress: '处理中',
  resolved: '已解决',
  rejected: '已驳回',
} as const satisfies Record<IncidentStatus, string>;
