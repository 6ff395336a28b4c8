/**
 * Jobs as people read them in `job list` and the sandbox console's clock panel: a short Chinese name
 * (the job's own summary says the rest) and its cron schedule in words, e.g. `30 9 * * *` → 每天 09:30.
 */

const LABELS: Record<string, string> = {
  'rectification-reminders': '整改提醒',
  'rectification-digest': '逾期整改通报',
  'task-occurrences': '生成本期责任任务',
  'task-reminders': '责任任务逾期提醒',
  'task-monthly': '月月提',
  'task-quarterly': '季季报',
  'meeting-reminders': '会议和学习提醒',
  'compliance-check': '合规日历检查',
  'holiday-reminder': '节前廉政提醒',
  housekeeping: '日常清理',
  'holiday-check': '节假日表检查',
  'member-reconcile': '群成员核对',
};

/** The job's Chinese name: a known one, else the summary's lead-in before "：", else the job's name. */
export function jobLabel(name: string, summary: string): string {
  const known = LABELS[name];
  if (known) return known;
  const lead = /^([^：，,:]{2,12})：/.exec(summary)?.[1];
  return lead ?? name;
}

const pad = (n: number) => String(n).padStart(2, '0');
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六', '日'];

/** A cron field's values (`*` → undefined), or null when it is more than lists, ranges and steps. */
function values(field: string, min: number, max: number): number[] | undefined | null {
  if (field === '*') return undefined;
  const out: number[] = [];
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const from = m[1] === '*' ? min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] !== undefined ? max : from;
    const step = Number(m[3] ?? 1);
    if (from < min || to > max || step < 1) return null;
    for (let v = from; v <= to; v += step) out.push(v);
  }
  return out;
}

/** A run of consecutive hours as "8:00–19:00", else the hours listed. */
function hoursInWords(hours: number[]): string {
  const run = hours.length > 2 && hours.every((h, i) => i === 0 || h === (hours[i - 1] as number) + 1);
  return run ? `${hours[0]} 点至 ${hours.at(-1)} 点` : `${hours.join('、')} 点`;
}

/**
 * A five-field cron expression in words: 每天 09:30, 每天 00:10、08:10, 每天 8 点至 19 点每 15 分钟,
 * 每小时第 23 分, 每 2 分钟, 每周一 09:00, 每月 1 日 09:00. Anything else is shown as written.
 */
export function scheduleInWords(cron: string): string {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return cron;
  const [mi, ho, dom, mon, dow] = f as [string, string, string, string, string];
  const minutes = values(mi, 0, 59);
  const hours = values(ho, 0, 23);
  const days = values(dom, 1, 31);
  const months = values(mon, 1, 12);
  const weekdays = values(dow, 0, 7);
  if (minutes === null || hours === null || days === null || months === null || weekdays === null) return cron;
  let when = '每天';
  if (months) when = `${months.join('、')} 月`;
  if (days) when = `${months ? `${when} ` : '每月 '}${days.join('、')} 日`;
  else if (months) when = `${when}每天`;
  if (weekdays) when = `${days ? `${when}及` : ''}每周${[...new Set(weekdays.map((d) => WEEKDAYS[d]))].join('、')}`;

  const stepMinutes = /^\*\/(\d+)$/.exec(mi)?.[1];
  if (!minutes || stepMinutes) {
    const every = stepMinutes ? `每 ${stepMinutes} 分钟` : '每分钟';
    return hours ? `${when} ${hoursInWords(hours)}${every}` : `${when === '每天' ? '' : `${when} `}${every}`;
  }
  if (!hours) {
    const at = `第 ${minutes.join('、')} 分`;
    return when === '每天' ? `每小时${at}` : `${when}每小时${at}`;
  }
  if (minutes.length === 1 && hours.length > 2 && hoursInWords(hours).includes('至')) {
    return `${when} ${pad(hours[0] as number)}:${pad(minutes[0] as number)}–${pad(hours.at(-1) as number)}:${pad(minutes[0] as number)} 每小时`;
  }
  const times = hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`));
  return `${when} ${times.join('、')}`;
}
