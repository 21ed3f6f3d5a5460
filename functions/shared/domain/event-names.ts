/**
 * The events on the bus, named once: the functions publish and match them by these constants and
 * the infra's EventBridge rules filter on the same ones. A plain module (no SDK client is created
 * when it is imported), so the CDK app can import it.
 */

/** Published by upstream systems (ticketing, DMS, CRM). */
export const SERVICE_COMPLETED = 'Service Completed';
export const CUSTOMER_OPTED_OUT = 'Customer Opted Out';
export const COMPLAINT_RESOLVED = 'Complaint Resolved';

/** Published by this system. */
export const FOLLOW_UP_COMPLETED = 'Follow-up Completed';
export const COMPLAINT_RAISED = 'Complaint Raised';

/** The source of the events this system publishes itself. */
export const FOLLOW_UP_SOURCE = 'customer-follow-up';
/** Source of the post-resolution follow-ups the complaint capability asks for. */
export const COMPLAINT_FOLLOW_UP_SOURCE = 'customer-follow-up.complaints';
