/**
 * The outcome forms' fields as the links read them: kept apart from the link handling (which plans
 * attempts with the AWS clients) so the local web app can read a posted form without loading those.
 */

/** Form fields arrive flat and as strings; blank ones mean "not answered". */
export function formToObject(fields: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    if (value === '') continue;
    const [head, tail] = name.split('.', 2);
    const joined = /^joined\.([\w-]+)\.(?:answers\.(.+)|(complaint))$/.exec(name);
    if (tail !== undefined && head === 'answers') {
      out.answers = { ...(out.answers as object), [tail]: value };
    } else if (joined) {
      // A shared contact's other matters: joined.<followUpId>.answers.<question> and joined.<followUpId>.complaint.
      out.joined ??= {};
      const all = out.joined as Record<string, { answers?: Record<string, unknown>; complaint?: string }>;
      all[joined[1]!] ??= {};
      const matter = all[joined[1]!]!;
      if (joined[2] !== undefined) matter.answers = { ...matter.answers, [joined[2]]: value };
      else matter.complaint = value;
    } else {
      out[name] = value;
    }
  }
  return out;
}
