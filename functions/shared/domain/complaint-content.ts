import { html } from 'hono/html';
import { DateTime } from 'luxon';
import type { EscalationConfig } from './escalation-schema.js';
import type { PolicyConfig } from './policy-schema.js';
import type { Complaint } from './complaint.js';
import type { AgentTask, OutgoingEmail } from '../adapters/contact-channels.js';

/** What a manager receives at each level: the complaint, its SLA clock and the two links. */
const words = {
  'zh-CN': {
    subject: (level: number, title: string, label: string, severity: string) => `【投诉升级 L${level} ${title}】${label}（${severity}）`,
    severity: { urgent: '紧急', major: '重大', general: '一般' },
    intro: (notice: number, escalated: boolean) => (escalated ? '上一级未在时限内处理，投诉已升级给您。' : notice > 1 ? `第${notice}次提醒：此投诉仍未处理。` : '回访中发现一条客户投诉，请处理。'),
    customer: '客户',
    service: '服务',
    department: '部门',
    raised: '发现时间',
    ackBy: '确认时限',
    resolveBy: '解决时限',
    questions: '投诉相关问题',
    acknowledge: '确认已收到',
    resolve: '登记处理结果',
  },
  en: {
    subject: (level: number, title: string, label: string, severity: string) => `[Complaint L${level} ${title}] ${label} (${severity})`,
    severity: { urgent: 'urgent', major: 'major', general: 'general' },
    intro: (notice: number, escalated: boolean) => (escalated ? 'The level below did not handle this in time: it is now yours.' : notice > 1 ? `Reminder ${notice}: this complaint is still open.` : 'A follow-up found a customer complaint. Please handle it.'),
    customer: 'Customer',
    service: 'Service',
    department: 'Department',
    raised: 'Raised',
    ackBy: 'Acknowledge by',
    resolveBy: 'Resolve by',
    questions: 'Complaint questions',
    acknowledge: 'Acknowledge',
    resolve: 'Record the resolution',
  },
} as const;

export interface ManagerLinks {
  acknowledge?: string;
  resolve: string;
}

function facts(complaint: Complaint, policies: PolicyConfig, config: EscalationConfig) {
  const w = words[config.locale];
  const t = (iso: string) => DateTime.fromISO(iso).setZone(config.timeZone).toFormat('yyyy-MM-dd HH:mm');
  return [
    [w.customer, `${complaint.customer.name}${complaint.customer.phone ? ` ${complaint.customer.phone}` : ''}`],
    [w.service, `${policies.policies[complaint.serviceType]?.label[config.locale] ?? complaint.serviceType} ${complaint.serviceId}`],
    [w.department, complaint.departmentId ?? '—'],
    [w.raised, t(complaint.raisedAt)],
    [w.ackBy, t(complaint.acknowledgeBy)],
    [w.resolveBy, t(complaint.resolveBy)],
    [w.questions, complaint.complaintQuestions.join(', ') || '—'],
  ] as const;
}

export function managerEmail(complaint: Complaint, to: string, level: number, notice: number, escalated: boolean, links: ManagerLinks, policies: PolicyConfig, config: EscalationConfig): OutgoingEmail {
  const w = words[config.locale];
  const title = config.levels[level - 1]!.title[config.locale];
  const label = policies.policies[complaint.serviceType]?.label[config.locale] ?? complaint.serviceType;
  const rows = facts(complaint, policies, config);
  const body = html`<!doctype html><html lang="${config.locale}"><body style="font-family:sans-serif;max-width:620px">
<p>${w.intro(notice, escalated)}</p>
<table style="border-collapse:collapse">${rows.map(([k, v]) => html`<tr><th style="text-align:left;padding:4px 12px 4px 0">${k}</th><td>${v}</td></tr>`)}</table>
<p>${links.acknowledge ? html`<a href="${links.acknowledge}" style="display:inline-block;padding:8px 14px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px;margin-right:8px">${w.acknowledge}</a>` : ''}
<a href="${links.resolve}" style="display:inline-block;padding:8px 14px;background:#1a7f37;color:#fff;text-decoration:none;border-radius:4px">${w.resolve}</a></p>
</body></html>`;
  return {
    to,
    subject: w.subject(level, title, label, w.severity[complaint.severity]),
    html: body.toString(),
    text: [w.intro(notice, escalated), '', ...rows.map(([k, v]) => `${k}: ${v}`), '', ...(links.acknowledge ? [`${w.acknowledge}: ${links.acknowledge}`] : []), `${w.resolve}: ${links.resolve}`].join('\n'),
  };
}

export function managerTask(complaint: Complaint, level: number, notice: number, queue: string | undefined, links: ManagerLinks, policies: PolicyConfig, config: EscalationConfig): AgentTask {
  const w = words[config.locale];
  const label = policies.policies[complaint.serviceType]?.label[config.locale] ?? complaint.serviceType;
  return {
    followUpId: complaint.complaintId,
    attempt: linkSequence(complaint.cycle, level, notice),
    name: w.subject(level, config.levels[level - 1]!.title[config.locale], label, w.severity[complaint.severity]),
    description: facts(complaint, policies, config).map(([k, v]) => `${k}: ${v}`).join('\n'),
    outcomeFormUrl: links.resolve,
    extraReferences: links.acknowledge ? { acknowledge: links.acknowledge } : {},
    attributes: { complaintId: complaint.complaintId, level: String(level), cycle: String(complaint.cycle), severity: complaint.severity, ...(queue ? { queue } : {}) },
  };
}

/** One number per notification, unique within a complaint: used in link claims and ClientTokens. */
export const linkSequence = (cycle: number, level: number, notice: number) => cycle * 10_000 + level * 1_000 + Math.min(notice, 999);
