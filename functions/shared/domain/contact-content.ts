import Mustache from 'mustache';
import { html } from 'hono/html';
import type { Locale, PolicyConfig, Survey } from './policy-schema.js';
import type { FollowUp } from './follow-up.js';
import type { AgentTask, OutgoingEmail } from '../adapters/contact-channels.js';

/** Plain-text placeholders ({{customerName}}): no HTML escaping, the caller escapes per medium. */
function fill(template: string, view: Record<string, string>): string {
  return Mustache.render(template, view, {}, { escape: (value: string) => value });
}

export function localeOf(followUp: FollowUp, config: PolicyConfig): Locale {
  return followUp.customer.locale ?? config.defaults.locale;
}

const words = {
  'zh-CN': {
    taskName: (label: string, attempt: number) => `回访：${label}（第${attempt}次）`,
    script: '话术',
    questions: '问题（一次问一个，逐条记录）',
    emailSubject: (label: string) => `${label}回访：请花一分钟告诉我们您的感受`,
    emailIntro: '感谢您选择我们的服务。请点击下面的链接回答几个简短的问题：',
    emailButton: '填写回访问卷',
    emailExpiry: (hours: number) => `链接${hours}小时内有效，只能提交一次。`,
    emailOptOut: '如不希望再收到回访，请回复“退订”。',
  },
  en: {
    taskName: (label: string, attempt: number) => `Follow-up: ${label} (attempt ${attempt})`,
    script: 'Script',
    questions: 'Questions (one at a time, record each answer)',
    emailSubject: (label: string) => `${label}: a minute to tell us how it went`,
    emailIntro: 'Thank you for choosing us. Please answer a few short questions:',
    emailButton: 'Answer the survey',
    emailExpiry: (hours: number) => `The link works for ${hours} hours and can be used once.`,
    emailOptOut: 'Reply "unsubscribe" if you prefer not to be followed up again.',
  },
} as const;

export function messagesFor(locale: Locale) {
  return words[locale];
}

/** The agent's task: who to call, the script (opening + one question per line) and the outcome form. */
export function agentTaskFor(
  followUp: FollowUp,
  config: PolicyConfig,
  survey: Survey,
  attempt: number,
  outcomeFormUrl: string,
): AgentTask {
  const locale = localeOf(followUp, config);
  const w = words[locale];
  const policy = config.policies[followUp.serviceType]!;
  const view = { company: config.organization.name[locale], customerName: followUp.customer.name };
  const description = [
    `${w.script}: ${fill(survey.opening[locale], view)}`,
    `${w.questions}:`,
    ...survey.questions.map((q, i) => `${i + 1}. ${q.text[locale]}`),
  ].join('\n');
  return {
    followUpId: followUp.followUpId,
    attempt,
    name: w.taskName(policy.label[locale], attempt),
    description,
    outcomeFormUrl,
    attributes: {
      followUpId: followUp.followUpId,
      attempt: String(attempt),
      serviceType: followUp.serviceType,
      customerName: followUp.customer.name,
      customerPhone: followUp.customer.phone ?? '',
      ...(followUp.departmentId ? { departmentId: followUp.departmentId } : {}),
    },
  };
}

export function surveyEmailFor(followUp: FollowUp, config: PolicyConfig, surveyUrl: string, validHours: number): OutgoingEmail {
  const locale = localeOf(followUp, config);
  const w = words[locale];
  const policy = config.policies[followUp.serviceType]!;
  const company = config.organization.name[locale];
  const greeting = locale === 'zh-CN' ? `${followUp.customer.name}，您好：` : `Dear ${followUp.customer.name},`;
  const body = html`<!doctype html>
<html lang="${locale}"><body style="font-family:sans-serif;max-width:560px">
<p>${greeting}</p>
<p>${w.emailIntro}</p>
<p><a href="${surveyUrl}" style="display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">${w.emailButton}</a></p>
<p style="color:#555;font-size:13px">${w.emailExpiry(validHours)}<br>${w.emailOptOut}</p>
<p>${company}</p>
</body></html>`;
  return {
    to: followUp.customer.email!,
    subject: w.emailSubject(policy.label[locale]),
    html: body.toString(),
    text: [greeting, '', w.emailIntro, surveyUrl, '', w.emailExpiry(validHours), w.emailOptOut, '', company].join('\n'),
  };
}
