/**
 * 组织生活会 / 民主生活会 reminders (issue 16 item 3), in working days: on each open stage's due date and
 * 2 working days before, the org's admins get privately what is still open; 2 working days before the
 * 对照检查材料 are due, each member who has not handed in gets one private nudge. Claimed once per
 * stage and person (the occurrence names the pipeline, the stage and the day kind); working days and
 * quiet hours through nudgeGate, people on 请假/出差 skipped, like the other jobs.
 *
 * What is open is decided on the records, not on the stored stages (a study held, opinions given or
 * the meeting held since anyone last looked would otherwise be reminded of): `collect` reads them
 * (read-only, recordedStages); each delivery brings the pipeline up to them — a compare-and-set on the
 * locked row in the claim's transaction — and sends nothing when the stage turns out done; and `run`
 * stores what the records say for every open pipeline, so the cards read the same.
 */
import { textMessage } from '../src/cards/text.ts';
import { type BaseContext, type Delivery, defineJob } from '../src/core/contracts.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { isAway, listMembers, roleOf } from '../src/db/repositories/members.ts';
import { findOrgById } from '../src/db/repositories/orgs.ts';
import { PIPELINE_STAGES } from '../src/db/schema/life.ts';
import { KIND_LABELS, STAGE_LABELS, stageHint } from '../src/features/life/pipeline-rules.ts';
import { lockPipeline, openPipelines, stagesOf } from '../src/features/life/repository.ts';
import { materialsState, recordedStages, syncStages } from '../src/features/life/service.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const JOB = 'life-pipeline';
/** The early reminder comes this many working days before a stage's due date. */
export const EARLY_WORKDAYS = 2;

export default defineJob({
  name: JOB,
  summary: '组织生活会提醒：各环节到期当天和提前 2 个工作日提醒管理员，对照检查材料提前提醒未提交的党员',
  schedule: '0 10,15 * * *',
  async collect(ctx, now) {
    const mayPost = nudgeGate(ctx, now);
    const early = ctx.calendar.addWorkdays(ctx.today, EARLY_WORKDAYS);
    const out: Delivery[] = [];
    for (const p of await openPipelines(ctx.db)) {
      const org = await findOrgById(ctx.db, p.org_id);
      if (!org || !(await mayPost(org.id))) continue;
      const word = KIND_LABELS[p.kind];
      const { stages } = await recordedStages(ctx, org, p);
      const members = await listMembers(ctx.db, org.id);
      const admins = members.filter((m) => isAdminRole(roleOf(m)) && !isAway(m, ctx.today));
      const materials = await materialsState(ctx, p);
      for (const stage of PIPELINE_STAGES) {
        const s = stages[stage];
        if (s.doneAt || (s.due !== ctx.today && s.due !== early)) continue;
        if (stage === 'materials' && materials.missing.length === 0) continue;
        const when = s.due === ctx.today ? 'due' : 'early';
        const lead =
          when === 'due' ? `今天是${STAGE_LABELS[stage]}环节的截止日` : `${STAGE_LABELS[stage]}环节将于 ${s.due} 截止`;
        const open = stage === 'materials' ? `（已交 ${materials.handed}/${materials.required}）` : '';
        /** Synced in the claim's transaction; false when the stage is done by now (or the pipeline closed). */
        const stillOpen = async (c: BaseContext) => {
          const locked = await lockPipeline(c.db, p.id);
          if (locked?.status !== 'open') return false;
          const synced = await syncStages(c, org, locked);
          return !stagesOf(synced)[stage].doneAt;
        };
        for (const a of admins)
          out.push({
            subject: `person:${org.id}:${a.open_id}`,
            occurrence: `life:${p.id}:${stage}:${when}`,
            orgId: org.id,
            async deliver(c) {
              if (!(await stillOpen(c))) return;
              const text = `${p.year} 年度${word}：${lead}，尚未完成${open}。${stageHint(stage, word)}`;
              await c.outbox.send({ openId: a.open_id }, textMessage`${text}`, { orgId: org.id });
            },
          });
        if (stage !== 'materials' || when !== 'early') continue;
        for (const m of materials.missing) {
          if (isAway(m, ctx.today)) continue;
          out.push({
            subject: `person:${org.id}:${m.open_id}`,
            occurrence: `life:${p.id}:materials:member`,
            orgId: org.id,
            async deliver(c) {
              if (!(await stillOpen(c))) return;
              if (!(await materialsState(c, p)).missing.some((x) => x.open_id === m.open_id)) return;
              const text = `${p.year} 年度${word}的对照检查材料将于 ${s.due} 截止，您还没有提交。请发送：/${word} 材料 <链接或说明>，或在与清风的单聊中直接发送文件。`;
              await c.outbox.send({ openId: m.open_id }, textMessage`${text}`, { orgId: org.id });
            },
          });
        }
      }
    }
    return out;
  },
  /** Brings every open pipeline's stored stages up to the records (what `collect` decided on). */
  async run(ctx) {
    let changed = 0;
    for (const p of await openPipelines(ctx.db)) {
      const org = await findOrgById(ctx.db, p.org_id);
      const locked = org && (await lockPipeline(ctx.db, p.id));
      if (!org || !locked || locked.status !== 'open') continue;
      if ((await syncStages(ctx, org, locked)) !== locked) changed++;
    }
    return `已按记录更新 ${changed} 个组织生活会流程`;
  },
});
